#include "export/exporter.h"
#include "torchscript/torchscript.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <hfx/onnx_config.h>
#include <spdlog/spdlog.h>

#include "core/error.h"
#include "core/staged_files.h"
#include "export/config_divisible.h"
#include "export/half_weights.h"
#include "export/lower.h"
#include "export/writer.h"
#include "features/features_manager.h"
#include "graph/build.h"
#include "graph/tiny_weights.h"
#include "plugins/isolation.h"
#include "checkpoint/safetensors_write.h"

namespace fs = std::filesystem;

namespace hfx {

namespace {

// Runs the plugin on `b` (checkpoint or make-tiny mode already set up).
BuiltModel run_plugin(const PluginRegistry& registry, hfx_build& b, const std::string& model_type,
                      const std::string& feature, int64_t opset, const std::string& component) {
    FeaturesManager(registry).check_supported_model_or_raise(model_type, feature);
    const ModelTypeEntry* entry = registry.find(model_type);
    b.model_type = model_type;
    b.feature = feature;
    b.component = component;
    b.opset = opset ? opset : kMaxOpset;
    // The build runs in a child first: a crash, exit() or hang in plugin code fails this export in one
    // line instead of taking the host down. A clean failure shows again, and is reported, just below.
    if (plugin_isolation_enabled()) {
        ChildOutcome c = run_in_child(
            [&] {  // the child builds into its own (copy-on-write) copy of b
                entry->build(host_api(), &b, entry->user);
                return std::string();
            },
            plugin_timeout_seconds());
        if (c.died)
            fail_plugin("plugin '", entry->plugin_file, "': model type '", model_type, "' ", c.problem,
                        " while building the graph");
    }
    // A plugin's message crosses the C ABI as text: the status says whether it refused the
    // checkpoint's config.json or lacks a tensor, else a failing host call keeps its kind,
    // else the plugin failed.
    int rc = HFX_OK;
    {
        ErrorArea area(ErrorKind::plugin);  // the host calls the plugin makes
        rc = entry->build(host_api(), &b, entry->user);
    }
    // Before the build's own verdict: a head count that does not divide fails there (in words that vary
    // by plugin), or later in a Reshape without naming the key. One rule, one message for every plugin.
    {
        ErrorArea area(ErrorKind::config);
        check_head_divisibility(b.config ? *b.config : b.checkpoint->config(), b.config_reads);
    }
    if (rc != HFX_OK) {
        ErrorKind kind = rc == HFX_ERROR_CONFIG       ? ErrorKind::config
                         : rc == HFX_ERROR_CHECKPOINT ? ErrorKind::checkpoint
                         : b.host_failed              ? b.host_error_kind
                                                      : ErrorKind::plugin;
        fail(kind, b.error.empty() ? "plugin '" + entry->plugin_file + "': build failed" : b.error);
    }
    if (!component.empty() && !b.component_read)
        fail_input("model type '", model_type,
                   "': its plugin builds no split (encoder/decoder) layout; export it without --split");
    if (b.model.outputs.empty())
        fail_plugin("plugin '", entry->plugin_file, "': model type '", model_type, "' declared no outputs");
    BuiltModel out;
    out.model_type = model_type;
    out.feature = feature;
    out.opset = opset;
    if (!out.opset) out.opset = b.properties.count("default_opset") ? std::stoll(b.properties["default_opset"]) : 14;
    if (b.properties.count("atol")) out.atol = std::stod(b.properties["atol"]);
    out.properties = b.properties;
    out.plugin_name = entry->plugin_name;
    out.config_reads = std::move(b.config_reads);
    b.model.opsets[""] = out.opset;
    b.model.metadata["hfexport.model_type"] = model_type;
    b.model.metadata["hfexport.feature"] = feature;
    out.model = std::move(b.model);
    return out;
}

}  // namespace

BuiltModel build_model(const PluginRegistry& registry, const Checkpoint& ckpt, const std::string& feature,
                       int64_t opset, const std::string& component) {
    hfx_build b;
    b.checkpoint = &ckpt;
    return run_plugin(registry, b, ckpt.config().value("model_type", ""), feature, opset, component);
}

TinyCheckpoint make_tiny(const PluginRegistry& registry, const std::string& model_type, const std::string& feature,
                         uint64_t seed) {
    const ModelTypeEntry* entry = registry.find(model_type);
    if (!entry) fail_plugin("model type '", model_type, "': no plugin registers it (see `hfexport features`)");
    if (!entry->tiny_config) fail_plugin("model type '", model_type, "': its plugin registers no tiny_config");
    ErrorArea area(ErrorKind::plugin);  // the tiny config is the plugin's
    std::vector<char> text(1 << 16);
    if (entry->tiny_config(text.data(), text.size(), entry->user) != HFX_OK)
        fail("model type '", model_type, "': tiny_config failed (empty or over 64 KiB)");
    TinyCheckpoint out;
    try {
        out.config = nlohmann::json::parse(text.data());
    } catch (const std::exception& e) {
        fail("model type '", model_type, "': tiny_config is not valid JSON (", std::string(e.what()), ")");
    }
    if (!out.config.is_object()) fail("model type '", model_type, "': tiny_config is not a JSON object");
    std::string declared = out.config.value("model_type", model_type);
    if (declared != model_type) fail("model type '", model_type, "': tiny_config says model_type '", declared, "'");
    out.config["model_type"] = model_type;
    // A build that fails after a name was answered absent needed it: retry with it present.
    std::set<std::string> present;
    std::unique_ptr<Error> first_error;     // reported when no retry helps
    std::vector<std::string> first_absent;  // the names the first build was answered absent
    for (int attempt = 0;; ++attempt) {
        TinyWeights tiny;
        tiny.task_layout = task_of(feature) != "default";
        tiny.seed = seed;
        tiny.present = present;
        if (out.config.contains("pad_token_id") && out.config["pad_token_id"].is_number_integer())
            tiny.pad_token_id = out.config["pad_token_id"].get<int64_t>();
        if (out.config.contains("initializer_range") && out.config["initializer_range"].is_number())
            tiny.stddev = out.config["initializer_range"].get<double>();
        hfx_build b;
        b.config = &out.config;
        b.tiny = &tiny;
        try {
            run_plugin(registry, b, model_type, feature, 0, "");
        } catch (const Error& e) {
            if (attempt == 0) {
                first_error = std::make_unique<Error>(e);
                first_absent = tiny.answered_absent;
            }
            bool retry = attempt < 16 && !tiny.answered_absent.empty() && !present.count(tiny.answered_absent.back());
            if (retry) {
                present.insert(tiny.answered_absent.back());
                continue;
            }
            // The first build failed after a lookup was answered absent, and answering present did
            // not help: the plugin asked for the shape of a tensor it had not created yet.
            if (first_absent.empty()) throw;
            fail(first_error->kind(), first_error->what(),
                 " (make-tiny: only a tensor already created by get(name, shape) has a shape; see docs/plugins.md)");
        }
        tiny.check_complete();
        out.tensors = std::move(tiny.created);
        return out;
    }
}

void write_tiny(const TinyCheckpoint& tiny, const std::string& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) fail("output '", dir, "': cannot create the folder (", ec.message(), ")");
    std::string config_path = (fs::path(dir) / "config.json").string();
    StagedFiles staged;  // config.json and model.safetensors, or neither
    {
        std::ofstream f(staged.add(config_path));
        f << tiny.config.dump(2) << "\n";
        f.close();
        if (!f) fail("output '", config_path, "': cannot write (", std::strerror(errno), ")");
    }
    write_safetensors((fs::path(dir) / "model.safetensors").string(), tiny.tensors, {{"format", "pt"}});
    staged.commit();
}

std::string resolve_output_path(const std::string& output, const std::string& extension) {
    if (output.empty()) fail("option 'output': empty path");
    fs::path p = output;
    fs::path dir = p.extension() == extension ? p.parent_path() : p;
    std::error_code ec;
    if (!dir.empty() && !fs::is_directory(dir, ec)) {
        fs::create_directories(dir, ec);
        if (ec) fail("output '", dir.string(), "': cannot create the folder (", ec.message(), ")");
    }
    return p.extension() == extension ? p.string() : (p / ("model" + extension)).string();
}

const std::vector<std::string>& checkpoint_side_files() {
    static const std::vector<std::string> names = {"generation_config.json",
                                                   "preprocessor_config.json",
                                                   "tokenizer.json",
                                                   "tokenizer_config.json",
                                                   "special_tokens_map.json",
                                                   "added_tokens.json",
                                                   "vocab.txt",
                                                   "vocab.json",
                                                   "merges.txt",
                                                   "normalizer.json",
                                                   "spiece.model",
                                                   "sentencepiece.bpe.model",
                                                   "source.spm",
                                                   "target.spm",
                                                   "tokenizer.model",
                                                   "chat_template.json"};
    return names;
}

std::vector<std::string> copy_checkpoint_files(const Checkpoint& ckpt, const std::string& dir) {
    std::vector<std::string> files;
    auto copy_beside = [&](const std::string& from, const std::string& name) {
        fs::path out = fs::path(dir) / name;
        std::error_code ec;
        if (fs::weakly_canonical(out, ec) == fs::weakly_canonical(from, ec)) return;
        StagedFiles staged;  // joins the export's group when one is open
        fs::path tmp = staged.add(out.string());
        fs::copy_file(from, tmp, fs::copy_options::overwrite_existing, ec);
        if (ec) fail("output '", out.string(), "': cannot write (", ec.message(), ")");
        staged.commit();
        files.push_back(out.string());
    };
    copy_beside(ckpt.config_path(), "config.json");
    // What optimum saves beside its ONNX files, so the folder is complete for ONNX Runtime and
    // transformers.js: the tokenizer and processor files, and generation_config.json (`generate`
    // reads its start / eos / pad tokens). Whatever of these the checkpoint has.
    std::error_code ec;
    for (const std::string& name : checkpoint_side_files())
        if (fs::is_regular_file(ckpt.dir() + "/" + name, ec)) copy_beside(ckpt.dir() + "/" + name, name);
    return files;
}

const char* format_extension(Format format) { return format == Format::torchscript ? ".pt" : ".onnx"; }

std::vector<std::string> write_export(const BuiltModel& built, const Checkpoint& ckpt, const std::string& onnx_path,
                                      const ExportOptions& options) {
    StagedFiles staged;  // the model and its config.json: both or neither
    if (options.format == Format::torchscript) {
        write_torchscript(built.model, onnx_path, {{"model_type", built.model_type}, {"feature", built.feature}});
        std::vector<std::string> files{onnx_path};
        for (std::string& f : copy_checkpoint_files(ckpt, fs::path(onnx_path).parent_path().string()))
            files.push_back(f);
        staged.commit();
        return files;
    }
    Model lowered = lower(built.model, options.opset ? options.opset : built.opset);
    keep_half_weights(lowered);
    check_model(lowered);
    WriteOptions wo;
    wo.external_data = options.external_data || OnnxConfig::use_external_data_format(ckpt.num_parameters());
    std::vector<std::string> files = write_onnx(lowered, onnx_path, wo);
    for (std::string& f : copy_checkpoint_files(ckpt, fs::path(onnx_path).parent_path().string())) files.push_back(f);
    staged.commit();
    return files;
}

}  // namespace hfx
