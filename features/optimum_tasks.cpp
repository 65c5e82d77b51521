#include "features/optimum_tasks.h"

#include <hfx/error.h>
#include <hfx/onnx_config.h>

#include "features/features_manager.h"
#include "plugins/registry.h"

namespace hfx {

namespace {

struct Synonym {
    const char* optimum;
    const char* feature;
};

// optimum/exporters/tasks.py (_SYNONYM_TASK_MAP and the task names of its model loaders). The first
// row of a feature is its optimum name; later rows are aliases optimum also accepts.
constexpr Synonym kSynonyms[] = {
    {"feature-extraction", "default"},
    {"fill-mask", "masked-lm"},
    {"text-generation", "causal-lm"},
    {"text2text-generation", "seq2seq-lm"},
    {"text-classification", "sequence-classification"},
    {"token-classification", "token-classification"},
    {"question-answering", "question-answering"},
    {"multiple-choice", "multiple-choice"},
    {"image-classification", "image-classification"},
    {"masked-im", "masked-im"},
    {"automatic-speech-recognition", "speech2seq-lm"},
    {"sentence-similarity", "default"},
    {"summarization", "seq2seq-lm"},
    {"translation", "seq2seq-lm"},
    {"zero-shot-classification", "sequence-classification"},
};

// Class-name suffixes of transformers' task heads, most specific first ("...LMHeadModel" before "Model").
struct Head {
    const char* suffix;
    const char* feature;
};
constexpr Head kHeads[] = {
    {"ForMaskedLM", "masked-lm"},
    {"WithLMHeadModel", "masked-lm"},  // XLM / FlauBERT
    {"ForCausalLM", "causal-lm"},
    {"LMHeadModel", "causal-lm"},  // GPT-2, GPT-J, GPT-Neo, CodeGen
    {"ForConditionalGeneration", "seq2seq-lm"},
    {"ForSpeechSeq2Seq", "speech2seq-lm"},
    {"ForSequenceClassification", "sequence-classification"},
    {"ForTokenClassification", "token-classification"},
    {"ForQuestionAnswering", "question-answering"},
    {"ForMultipleChoice", "multiple-choice"},
    {"ForImageClassificationWithTeacher", "image-classification"},
    {"ForImageClassification", "image-classification"},
    {"ForMaskedImageModeling", "masked-im"},
    {"Model", "default"},
};

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string with_past_suffix(const std::string& name, bool past) { return past ? name + "-with-past" : name; }

}  // namespace

std::string feature_for_task(const std::string& name) {
    if (FeaturesManager::is_known_feature(name)) return name;
    bool past = ends_with(name, "-with-past");
    std::string base = past ? name.substr(0, name.size() - 10) : name;
    for (const Synonym& s : kSynonyms) {
        if (base != s.optimum) continue;
        std::string feature = with_past_suffix(s.feature, past);
        if (FeaturesManager::is_known_feature(feature)) return feature;
    }
    std::string known;
    for (const Synonym& s : kSynonyms) known += std::string(known.empty() ? "" : ", ") + s.optimum;
    throw Error("task '" + name + "': unknown (optimum names: " + known +
                ", each generative one also -with-past; or a transformers.onnx feature, see `hfexport features`)");
}

std::string optimum_task_name(const std::string& feature) {
    bool past = ends_with(feature, "-with-past");
    std::string base = past ? feature.substr(0, feature.size() - 10) : feature;
    for (const Synonym& s : kSynonyms)
        if (base == s.feature) return with_past_suffix(s.optimum, past);
    return feature;
}

InferredTask infer_task(const nlohmann::json& config, const PluginRegistry& registry) {
    std::string model_type = config.value("model_type", "");
    const ModelTypeEntry* entry = registry.find(model_type);
    auto supports = [&](const std::string& f) { return entry && entry->supports(f); };
    auto chosen = [&](std::string feature, const std::string& why) {
        std::string task = task_of(feature);
        bool generative = task == "causal-lm" || task == "seq2seq-lm" || task == "speech2seq-lm";
        if (generative && supports(feature + "-with-past")) feature += "-with-past";
        return InferredTask{feature, "task auto: " + optimum_task_name(feature) + " (" + feature + "), " + why};
    };
    const auto archs = config.find("architectures");
    if (archs == config.end() || !archs->is_array() || archs->empty() || !(*archs)[0].is_string())
        return chosen("default", "as config.json names no 'architectures' (pass --task to choose another)");
    std::string arch = (*archs)[0].get<std::string>();
    for (const Head& h : kHeads) {
        if (!ends_with(arch, h.suffix)) continue;
        std::string feature = h.feature;
        // Whisper, Speech2Text: a ForConditionalGeneration that reads audio.
        if (feature == "seq2seq-lm" && !supports("seq2seq-lm") && supports("speech2seq-lm")) feature = "speech2seq-lm";
        return chosen(feature, "from architectures '" + arch + "'");
    }
    return chosen("default", "as no task matches architectures '" + arch + "' (pass --task to choose another)");
}

}  // namespace hfx
