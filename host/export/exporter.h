// One export, start to end: plugin graph -> lowered model -> checked -> written.
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "checkpoint/checkpoint.h"
#include "core/ir.h"
#include "plugins/registry.h"

namespace hfx {

struct BuiltModel {
    Model model;  // as the plugin built it (canonical ops, before lowering)
    std::string model_type;
    std::string feature;
    int64_t opset = 0;                              // target opset (requested, or the OnnxConfig default)
    double atol = 1e-4;                             // OnnxConfig.atol_for_validation
    std::map<std::string, std::string> properties;  // everything the plugin set with set_property
    std::string plugin_name;                        // of the plugin that registered model_type
    std::set<std::string> config_reads;             // config.json pointers the build read (export/config_audit.h)
};

// Runs the model type's plugin for `feature`; `opset` 0 = the plugin's default.
// `component` selects one graph of a split export ("encoder", "decoder",
// "decoder-with-past"); "" is the single-file layout.
BuiltModel build_model(const PluginRegistry& registry, const Checkpoint& ckpt, const std::string& feature,
                       int64_t opset = 0, const std::string& component = "");

// make-tiny: the plugin's graph for `feature` built against its tiny_config
// with no checkpoint; its weights are created as it declares them
// (graph/tiny_weights.h has the rules). `tensors` in declaration order.
struct TinyCheckpoint {
    nlohmann::json config;
    std::vector<std::pair<std::string, Tensor>> tensors;
};
TinyCheckpoint make_tiny(const PluginRegistry& registry, const std::string& model_type,
                         const std::string& feature = "default", uint64_t seed = 0);
// Writes dir/config.json and dir/model.safetensors.
void write_tiny(const TinyCheckpoint& tiny, const std::string& dir);

enum class Format { onnx, torchscript };

struct ExportOptions {
    int64_t opset = 0;
    bool external_data = false;  // forced; otherwise chosen by size (2 GiB)
    Format format = Format::onnx;
    bool strict = false;  // config.json keys the plugin did not read are an error, not a warning
};
// ".onnx" or ".pt"
const char* format_extension(Format format);

// Lowers, checks and writes `built` to `onnx_path` (or, for TorchScript,
// translates it: torchscript/torchscript.h), then copies config.json (and
// preprocessor_config.json / generation_config.json when the checkpoint has
// them) beside it. Returns the files written.
std::vector<std::string> write_export(const BuiltModel& built, const Checkpoint& ckpt, const std::string& onnx_path,
                                      const ExportOptions& options);

// config.json beside the model, as transformers.onnx leaves it (atomically), and
// the image preprocessor's and generation configs when the checkpoint has them
// (`run --image` and `generate` read them). Returns the files written.
std::vector<std::string> copy_checkpoint_files(const Checkpoint& ckpt, const std::string& dir);
// The tokenizer, processor and generation files copy_checkpoint_files copies when present (a hub
// download fetches the ones the repo has).
const std::vector<std::string>& checkpoint_side_files();

// "out/" -> "out/model.onnx" (created); "x.onnx" -> itself; `extension` ".pt"
// for TorchScript. Errors name the option.
std::string resolve_output_path(const std::string& output, const std::string& extension = ".onnx");

}  // namespace hfx
