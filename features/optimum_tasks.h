// optimum's task names beside the transformers.onnx features, and `--task auto`: the task that
// optimum-cli would infer from config.json's `architectures`.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hfx {

class PluginRegistry;

// "text-classification" -> "sequence-classification", "text-generation-with-past" ->
// "causal-lm-with-past"; a transformers.onnx feature name is returned as it is. Throws a one-line
// error listing both vocabularies for a name that is neither.
std::string feature_for_task(const std::string& name);

// The optimum name of a feature ("causal-lm-with-past" -> "text-generation-with-past").
std::string optimum_task_name(const std::string& feature);

struct InferredTask {
    std::string feature;  // what to export
    std::string because;  // one line for the user: what was read and what was chosen
};

// The feature optimum would export for this config: from the first `architectures` entry's class
// suffix (ForMaskedLM -> fill-mask, ForCausalLM -> text-generation, ...), with "-with-past" where the
// plugin has it for a generative task, as optimum exports decoders with their cache. Without
// `architectures`, or for a class no task matches, the base model (feature-extraction), said so.
InferredTask infer_task(const nlohmann::json& config, const PluginRegistry& registry);

}  // namespace hfx
