// hfexport validate --model DIR --feature F MODEL.onnx|MODEL.pt: validates an existing file.
#include <filesystem>
#include <iostream>
#include <spdlog/spdlog.h>

#include "checkpoint/checkpoint.h"
#include "cli/common.h"
#include "export/exporter.h"
#include "export/split.h"
#include "hub/resolve.h"
#include "validate/validate.h"

namespace hfx::cli {

namespace {
struct ValidateArgs {
    std::string model, feature = "default", onnx, reference, component;
    double atol = 0;
    bool no_ort = false;
    int threads = 0;
};
}  // namespace

void add_validate_command(CLI::App& app, std::vector<std::pair<CLI::App*, Command>>& commands) {
    auto args = std::make_shared<ValidateArgs>();
    CLI::App* sub =
        app.add_subcommand("validate", "Validate an exported ONNX (or TorchScript) file against its checkpoint");
    sub->add_option("-m,--model", args->model,
                    "Checkpoint folder the file was exported from, or its hub id ORG/NAME[@REVISION]")
        ->required();
    sub->add_option("--feature", args->feature, "Feature it was exported for")->capture_default_str();
    sub->add_option("onnx", args->onnx, "The ONNX file (a .pt file is validated as TorchScript, in libtorch)")
        ->required();
    sub->add_option("--atol", args->atol, "Absolute tolerance (default: the model's)");
    sub->add_option("--reference", args->reference, "Also compare with inputs/outputs of this .safetensors file");
    sub->add_flag("--no-ort", args->no_ort, "Do not compare with ONNX Runtime even when found");
    sub->add_option("--threads", args->threads, "Runtime threads (0 = all cores)");
    sub->add_option(
        "--component", args->component,
        "Graph of a split export: encoder, decoder or decoder-with-past (default: from optimum's file names)");
    commands.emplace_back(sub, [args] {
        auto registry = load_plugins();
        Checkpoint ckpt = Checkpoint::open(hub::resolve_model(args->model));
        std::string component = args->component;
        bool torchscript = std::filesystem::path(args->onnx).extension() == ".pt";
        Format format = torchscript ? Format::torchscript : Format::onnx;
        if (component.empty())  // encoder_model.onnx, decoder_model.onnx, decoder_with_past_model.onnx (or .pt)
            for (const std::string& c : split_components(args->feature + "-with-past"))
                if (std::filesystem::path(args->onnx).filename() == component_file_name(c, format)) component = c;
        BuiltModel built = build_model(*registry, ckpt, args->feature, 0, component);
        ValidationOptions vo;
        vo.atol = args->atol > 0 ? args->atol : built.atol;
        vo.reference_file = args->reference;
        vo.use_ort = !args->no_ort;
        vo.threads = args->threads;
        vo.component = component;
        bool compared = false;
        vo.reference_compared = &compared;
        bool ok = torchscript ? validate_torchscript(built.model, args->onnx, vo, std::cout)
                              : validate_export(built.model, args->onnx, vo, std::cout);
        if (!ok) {
            spdlog::error("validation failed: '{}' does not match its checkpoint", args->onnx);
            return 1;
        }
        if (!args->reference.empty() && !compared) {
            spdlog::error("reference '{}': does not feed this graph ({})", args->reference, args->onnx);
            return 1;
        }
        std::cout << "All good: " << args->onnx << "\n";
        return 0;
    });
}

}  // namespace hfx::cli
