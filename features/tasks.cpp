// The task catalog: one row per transformers.onnx task.
#include <hfx/onnx_config.h>

#include "features/features_manager.h"

namespace hfx {

const std::vector<Task>& FeaturesManager::tasks() {
    static const std::vector<Task> catalog = {
        {"default", "AutoModel", true},
        {"masked-lm", "AutoModelForMaskedLM", false},
        {"causal-lm", "AutoModelForCausalLM", true},
        {"seq2seq-lm", "AutoModelForSeq2SeqLM", true},
        {"sequence-classification", "AutoModelForSequenceClassification", false},
        {"token-classification", "AutoModelForTokenClassification", false},
        {"multiple-choice", "AutoModelForMultipleChoice", false},
        {"question-answering", "AutoModelForQuestionAnswering", false},
        {"image-classification", "AutoModelForImageClassification", false},
        {"masked-im", "AutoModelForMaskedImageModeling", false},
        {"speech2seq-lm", "AutoModelForSpeechSeq2Seq", true},
    };
    return catalog;
}

std::vector<std::string> FeaturesManager::all_features() {
    std::vector<std::string> out;
    for (const Task& t : tasks()) {
        out.push_back(t.name);
        if (t.has_past) out.push_back(std::string(t.name) + "-with-past");
    }
    return out;
}

bool FeaturesManager::is_known_feature(const std::string& feature) {
    for (const std::string& f : all_features())
        if (f == feature) return true;
    return false;
}

std::string FeaturesManager::get_model_class_for_feature(const std::string& feature) {
    std::string task = task_of(feature);
    for (const Task& t : tasks())
        if (task == t.name && (task == feature || t.has_past)) return t.auto_class;
    throw Error("feature '" + feature + "': unknown (known: " + [] {
        std::string s;
        for (const std::string& f : all_features()) s += (s.empty() ? "" : ", ") + f;
        return s;
    }() + ")");
}

}  // namespace hfx
