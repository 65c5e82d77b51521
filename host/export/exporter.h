// One export, start to end: plugin graph -> lowered model -> checked -> written.
#pragma once
#include <string>
#include <vector>

#include "checkpoint/checkpoint.h"
#include "core/ir.h"
#include "plugins/registry.h"

namespace hfx {

struct BuiltModel {
    Model model;  // as the plugin built it (canonical ops, before lowering)
    std::string model_type;
    std::string feature;
    int64_t opset = 0;    // target opset (requested, or the OnnxConfig default)
    double atol = 1e-4;   // OnnxConfig.atol_for_validation
};

// Runs the model type's plugin for `feature`; `opset` 0 = the plugin's default.
// `component` selects one graph of a split export ("encoder", "decoder",
// "decoder-with-past"); "" is the single-file layout.
BuiltModel build_model(const PluginRegistry& registry, const Checkpoint& ckpt, const std::string& feature,
                       int64_t opset = 0, const std::string& component = "");

struct ExportOptions {
    int64_t opset = 0;
    bool external_data = false;  // forced; otherwise chosen by size (2 GiB)
};

// Lowers, checks and writes `built` to `onnx_path`, then copies config.json
// beside it. Returns the files written.
std::vector<std::string> write_export(const BuiltModel& built, const Checkpoint& ckpt, const std::string& onnx_path,
                                      const ExportOptions& options);

// "out/" -> "out/model.onnx" (created); "x.onnx" -> itself. Errors name the option.
std::string resolve_output_path(const std::string& output);

}  // namespace hfx
