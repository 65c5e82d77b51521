#include "export/exporter.h"

#include <filesystem>
#include <fstream>
#include <hfx/onnx_config.h>
#include <spdlog/spdlog.h>

#include "core/error.h"
#include "export/lower.h"
#include "export/writer.h"
#include "features/features_manager.h"
#include "graph/build.h"

namespace fs = std::filesystem;

namespace hfx {

BuiltModel build_model(const PluginRegistry& registry, const Checkpoint& ckpt, const std::string& feature,
                       int64_t opset, const std::string& component) {
    std::string model_type = ckpt.config().value("model_type", "");
    FeaturesManager(registry).check_supported_model_or_raise(model_type, feature);
    const ModelTypeEntry* entry = registry.find(model_type);
    hfx_build b;
    b.checkpoint = &ckpt;
    b.model_type = model_type;
    b.feature = feature;
    b.component = component;
    b.opset = opset ? opset : kMaxOpset;
    if (entry->build(host_api(), &b, entry->user) != HFX_OK)
        fail(b.error.empty() ? "plugin '" + entry->plugin_file + "': build failed" : b.error);
    if (!component.empty() && !b.component_read)
        fail("model type '", model_type, "': its plugin builds no split (encoder/decoder) layout; export it without --split");
    if (b.model.outputs.empty()) fail("plugin '", entry->plugin_file, "': model type '", model_type, "' declared no outputs");
    BuiltModel out;
    out.model_type = model_type;
    out.feature = feature;
    out.opset = opset;
    if (!out.opset) out.opset = b.properties.count("default_opset") ? std::stoll(b.properties["default_opset"]) : 14;
    if (b.properties.count("atol")) out.atol = std::stod(b.properties["atol"]);
    b.model.opsets[""] = out.opset;
    b.model.metadata["hfexport.model_type"] = model_type;
    b.model.metadata["hfexport.feature"] = feature;
    out.model = std::move(b.model);
    return out;
}

std::string resolve_output_path(const std::string& output) {
    if (output.empty()) fail("option 'output': empty path");
    fs::path p = output;
    fs::path dir = p.extension() == ".onnx" ? p.parent_path() : p;
    std::error_code ec;
    if (!dir.empty() && !fs::is_directory(dir, ec)) {
        fs::create_directories(dir, ec);
        if (ec) fail("output '", dir.string(), "': cannot create the folder (", ec.message(), ")");
    }
    return p.extension() == ".onnx" ? p.string() : (p / "model.onnx").string();
}

std::vector<std::string> write_export(const BuiltModel& built, const Checkpoint& ckpt, const std::string& onnx_path,
                                      const ExportOptions& options) {
    Model lowered = lower(built.model, options.opset ? options.opset : built.opset);
    check_model(lowered);
    WriteOptions wo;
    wo.external_data = options.external_data || OnnxConfig::use_external_data_format(ckpt.num_parameters());
    std::vector<std::string> files = write_onnx(lowered, onnx_path, wo);
    // config.json beside the model, as transformers.onnx leaves it (atomically too),
    // and the image preprocessor's config when the checkpoint has one (`run --image` reads it).
    auto copy_beside = [&](const std::string& from, const std::string& name) {
        fs::path out = fs::path(onnx_path).parent_path() / name;
        std::error_code ec;
        if (fs::weakly_canonical(out, ec) == fs::weakly_canonical(from, ec)) return;
        fs::path tmp = out.string() + ".tmp";
        fs::copy_file(from, tmp, fs::copy_options::overwrite_existing, ec);
        if (!ec) fs::rename(tmp, out, ec);
        if (ec) fail("output '", out.string(), "': cannot write (", ec.message(), ")");
        files.push_back(out.string());
    };
    copy_beside(ckpt.config_path(), "config.json");
    std::string preprocessor = ckpt.dir() + "/preprocessor_config.json";
    std::error_code ec;
    if (fs::is_regular_file(preprocessor, ec)) copy_beside(preprocessor, "preprocessor_config.json");
    return files;
}

}  // namespace hfx
