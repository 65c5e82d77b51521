// hfexport export --model DIR [--task T | --feature F] [--split] [OUTPUT]
#include <iostream>
#include <spdlog/spdlog.h>

#include "checkpoint/checkpoint.h"
#include "cli/common.h"
#include "core/error.h"
#include "export/config_audit.h"
#include "export/exporter.h"
#include "export/split.h"
#include "features/optimum_tasks.h"
#include "hub/resolve.h"
#include "torchscript/torchscript.h"
#include "validate/memory_budget.h"
#include "validate/validate.h"

namespace hfx::cli {

namespace {
struct ExportArgs {
    std::string model, task, feature, output = "onnx/", reference, format = "onnx";
    int64_t opset = 0;
    double atol = 0;
    bool no_validate = false, external_data = false, no_ort = false, split = false, strict = false;
    int threads = 0;
};
ValidationOptions validation_options(const ExportArgs& args, const BuiltModel& built) {
    ValidationOptions vo;
    vo.atol = args.atol > 0 ? args.atol : built.atol;
    vo.reference_file = args.reference;
    vo.use_ort = !args.no_ort;
    vo.threads = args.threads;
    return vo;
}

// --task (optimum's names, or auto) and --feature (transformers.onnx's) name one thing: the feature.
void resolve_feature(ExportArgs& args, const Checkpoint& ckpt, const PluginRegistry& registry) {
    if (!args.task.empty() && !args.feature.empty())
        fail("options '--task' and '--feature': give one (--task takes both vocabularies)");
    std::string name = !args.task.empty() ? args.task : args.feature.empty() ? "auto" : args.feature;
    if (name != "auto") {
        args.feature = feature_for_task(name);
        return;
    }
    InferredTask t = infer_task(ckpt.config(), registry);
    std::cout << t.because << "\n";
    args.feature = t.feature;
}

Format format_of(const ExportArgs& args) { return args.format == "torchscript" ? Format::torchscript : Format::onnx; }

ExportOptions export_options(const ExportArgs& args) {
    return {.opset = args.opset, .external_data = args.external_data, .format = format_of(args), .strict = args.strict};
}

bool validate_written(const ExportArgs& args, const BuiltModel& built, const std::string& path, ValidationOptions vo) {
    if (format_of(args) == Format::torchscript) return validate_torchscript(built.model, path, vo, std::cout);
    return validate_export(built.model, path, vo, std::cout);
}

int export_split_command(const ExportArgs& args, const PluginRegistry& registry, const Checkpoint& ckpt) {
    std::vector<ComponentExport> files =
        export_split(registry, ckpt, args.feature, args.output, export_options(args), std::cout);
    if (args.no_validate) {
        for (const ComponentExport& e : files) std::cout << "Model saved at: " << e.path << " (not validated)\n";
        return 0;
    }
    bool ok = true, reference_used = false;
    for (const ComponentExport& e : files) {
        std::cout << "== " << e.component << ": " << e.path << "\n";
        ValidationOptions vo = validation_options(args, e.built);
        vo.component = e.component;
        bool compared = false;
        vo.reference_compared = &compared;
        ok &= validate_written(args, e.built, e.path, vo);
        reference_used |= compared;
    }
    if (!args.reference.empty() && !reference_used) {
        spdlog::error("reference '{}': feeds none of the exported graphs", args.reference);
        return 1;
    }
    if (!ok) {
        // Kept, as optimum keeps a model that fails its check: the log above says which outputs differ,
        // and the files are what one inspects (netron, `hfexport run`) to see why.
        spdlog::error(
            "validation failed: the exported models' outputs do not match the reference; the files in '{}' "
            "are kept for inspection, not for use",
            args.output);
        return 1;
    }
    for (const ComponentExport& e : files) std::cout << "All good, model saved at: " << e.path << "\n";
    return 0;
}

}  // namespace

void add_export_command(CLI::App& app, std::vector<std::pair<CLI::App*, Command>>& commands) {
    auto args = std::make_shared<ExportArgs>();
    CLI::App* sub = app.add_subcommand("export", "Export a checkpoint to ONNX and validate it");
    sub->add_option("-m,--model", args->model,
                    "Checkpoint folder (config.json + weights), or a hub id ORG/NAME[@REVISION] (Hugging Face cache)")
        ->required();
    sub->add_option("--task", args->task,
                    "Task: optimum's name (text-generation-with-past, fill-mask, ...), a transformers.onnx feature, "
                    "or auto (the default: inferred from config.json's architectures, as optimum does)");
    sub->add_option("--feature", args->feature, "transformers.onnx feature to export (see `hfexport features`)");
    sub->add_option("output", args->output, "Output folder, or a path ending in .onnx (.pt for TorchScript)")
        ->capture_default_str();
    sub->add_option("--format", args->format, "onnx, or torchscript (a .pt file for torch.jit.load; needs libtorch)")
        ->capture_default_str()
        ->check(CLI::IsMember({"onnx", "torchscript"}));
    sub->add_option("--opset", args->opset, "ONNX opset (11..17; default: the model's)");
    sub->add_option("--atol", args->atol, "Absolute tolerance for validation (default: the model's)");
    sub->add_flag("--no-validate", args->no_validate, "Skip validation");
    sub->add_option("--reference", args->reference, "Also compare with inputs/outputs of this .safetensors file");
    sub->add_flag("--external-data", args->external_data, "Store weights in model.onnx_data");
    sub->add_flag("--no-ort", args->no_ort, "Do not compare with ONNX Runtime even when found");
    sub->add_option("--threads", args->threads, "Runtime threads for validation (0 = all cores)");
    sub->add_flag("--split", args->split,
                  "Encoder-decoder models: write optimum's encoder_model.onnx, decoder_model.onnx "
                  "(and decoder_with_past_model.onnx for -with-past) instead of one model.onnx");
    sub->add_flag("--strict", args->strict, "Fail (write nothing) when config.json has keys the plugin did not read");
    commands.emplace_back(sub, [args] {
        auto registry = load_plugins();
        if (format_of(*args) == Format::torchscript) {
            std::string why;
            if (!torchscript_available(&why)) fail("option '--format torchscript': ", why);
            if (args->external_data) fail("option '--external-data': ONNX only (a .pt file holds its weights)");
            if (args->opset) fail("option '--opset': ONNX only");
        }
        Checkpoint ckpt = Checkpoint::open(hub::resolve_model(args->model));
        resolve_feature(*args, ckpt, *registry);
        if (!args->no_validate) require_validation_fits(ckpt);  // said now, not after a long export
        if (args->split) return export_split_command(*args, *registry, ckpt);
        BuiltModel built = build_model(*registry, ckpt, args->feature, args->opset);
        check_config_reads(ckpt.config(), {&built}, args->strict);
        std::string path = resolve_output_path(args->output, format_extension(format_of(*args)));
        write_export(built, ckpt, path, export_options(*args));
        spdlog::debug("wrote {} (opset {})", path, built.opset);
        if (args->no_validate) {
            std::cout << "Model saved at: " << path << " (not validated)\n";
            return 0;
        }
        ValidationOptions vo = validation_options(*args, built);
        if (!validate_written(*args, built, path, vo)) {
            spdlog::error(
                "validation failed: the exported model's outputs do not match the reference; '{}' is kept "
                "for inspection, not for use",
                path);
            return 1;
        }
        std::cout << "All good, model saved at: " << path << "\n";
        return 0;
    });
}

}  // namespace hfx::cli
