// FeaturesManager: the transformers.onnx feature vocabulary and which model
// types support what. A feature is a task plus an optional "-with-past"; the
// with-past variants are derived from their task, not listed twice.
#pragma once
#include <string>
#include <vector>

namespace hfx {

struct Task {
    const char* name;        // "sequence-classification"
    const char* auto_class;  // "AutoModelForSequenceClassification"
    bool has_past;           // "<name>-with-past" exists
};

class PluginRegistry;

class FeaturesManager {
public:
    // Every task of the catalog, in transformers.onnx order.
    static const std::vector<Task>& tasks();
    // Every feature name: each task, and "<task>-with-past" where it has one.
    static std::vector<std::string> all_features();
    static bool is_known_feature(const std::string& feature);
    // "AutoModelForCausalLM" for "causal-lm-with-past"; throws for an unknown feature.
    static std::string get_model_class_for_feature(const std::string& feature);

    explicit FeaturesManager(const PluginRegistry& registry) : registry_(registry) {}
    // The features a model type's plugin registered; throws "model type 'x': no plugin supports it (known: ...)".
    std::vector<std::string> get_supported_features_for_model_type(const std::string& model_type) const;
    // Throws a one-line error listing the supported features when `feature` is not one of them.
    void check_supported_model_or_raise(const std::string& model_type, const std::string& feature) const;

private:
    const PluginRegistry& registry_;
};

}  // namespace hfx
