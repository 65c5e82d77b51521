// OnnxConfig, OnnxConfigWithPast, OnnxSeq2SeqConfigWithPast: the
// transformers.onnx API in C++. A plugin picks one, declares the graph inputs
// through it, and hands its results to `output()`; the names, axes, dummy
// input recipes, past layout, opset and tolerance all come from here.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "hfx/graph.h"

namespace hfx {

// "causal-lm-with-past" -> "causal-lm"
inline std::string task_of(const std::string& feature) {
    const std::string suffix = "-with-past";
    if (feature.size() > suffix.size() && feature.compare(feature.size() - suffix.size(), suffix.size(), suffix) == 0)
        return feature.substr(0, feature.size() - suffix.size());
    return feature;
}
inline bool is_with_past(const std::string& feature) { return task_of(feature) != feature; }

class OnnxConfig {
public:
    static constexpr int64_t kExternalDataThreshold = int64_t(2) << 30;  // protobuf's 2 GiB limit

    OnnxConfig(Graph& g, std::string task) : g_(g), task_(std::move(task)) {}
    virtual ~OnnxConfig() = default;

    const std::string& task() const { return task_; }
    virtual bool use_past() const { return false; }

    // Ordered inputs and outputs with their axes (name -> axes).
    virtual std::vector<IO> inputs() const = 0;
    virtual std::vector<IO> outputs() const {
        std::vector<IO> out;
        for (const IO& io : common_outputs(task_)) out.push_back(io);
        return out;
    }

    int64_t default_onnx_opset = 14;
    double atol_for_validation = 1e-4;

    // transformers.onnx: models of 2 GiB and more keep weights in an external file.
    static bool use_external_data_format(int64_t num_parameters) {
        return num_parameters * int64_t(sizeof(float)) >= kExternalDataThreshold;
    }
    // Config values forced for the export (PretrainedConfig overrides).
    virtual std::map<std::string, std::string> values_override() const {
        return {{"use_cache", use_past() ? "true" : "false"}};
    }

    // Declares every input on the graph; returns them by name.
    std::map<std::string, Value> declare_inputs() {
        apply_properties();
        std::map<std::string, Value> values;
        for (const IO& io : inputs()) values[io.name] = g_.input(io);
        return values;
    }
    // Declares `v` as the output called `name`, with the axes of outputs().
    // Outputs reach the file in the order of outputs(), whatever order the
    // model computes them in.
    void output(const std::string& name, Value v) {
        std::vector<IO> all = outputs();
        for (size_t k = 0; k < all.size(); ++k)
            if (all[k].name == name) return g_.output(v, all[k], int(k));
        throw Error("output '" + name + "': not an output of task '" + task_ + "'");
    }

    // The outputs transformers.onnx gives each task.
    static std::vector<IO> common_outputs(const std::string& task) {
        IO hidden{"last_hidden_state", DT::f32, {"batch", "sequence", "hidden"}};
        auto logits = [](std::vector<std::string> axes) { return IO{"logits", DT::f32, std::move(axes)}; };
        if (task == "default") return {hidden, IO{"pooler_output", DT::f32, {"batch", "hidden"}}};
        if (task == "masked-lm" || task == "causal-lm" || task == "token-classification")
            return {logits({"batch", "sequence", task == "token-classification" ? "num_labels" : "vocab"})};
        if (task == "seq2seq-lm" || task == "speech2seq-lm")
            return {logits({"batch", "decoder_sequence", "vocab"}),
                    IO{"encoder_last_hidden_state", DT::f32, {"batch", "encoder_sequence", "hidden"}}};
        if (task == "sequence-classification" || task == "image-classification")
            return {logits({"batch", "num_labels"})};
        if (task == "multiple-choice") return {logits({"batch", "num_choices"})};
        if (task == "question-answering")
            return {IO{"start_logits", DT::f32, {"batch", "sequence"}},
                    IO{"end_logits", DT::f32, {"batch", "sequence"}}};
        if (task == "masked-im") return {IO{"reconstruction", DT::f32, {"batch", "num_channels", "height", "width"}}};
        throw Error("feature '" + task + "': unknown task");
    }

protected:
    void apply_properties() {
        g_.set_property("default_opset", std::to_string(default_onnx_opset));
        g_.set_property("atol", std::to_string(atol_for_validation));
    }
    Graph& g_;
    std::string task_;
};

// The features of a text encoder with every transformers.onnx head (BERT and kin).
inline const std::vector<std::string> kTextEncoderFeatures = {
    "default", "masked-lm", "sequence-classification", "token-classification", "question-answering", "multiple-choice"};

// Text encoders (BERT and kin): input_ids, attention_mask[, token_type_ids];
// multiple-choice adds the choice axis.
class TextEncoderOnnxConfig : public OnnxConfig {
public:
    struct Options {
        bool token_type_ids = true;
        int64_t type_vocab_size = 2;
        int64_t vocab_size = 2;
    };
    TextEncoderOnnxConfig(Graph& g, std::string task, Options o) : OnnxConfig(g, std::move(task)), o_(o) {}

    std::vector<IO> inputs() const override {
        std::vector<std::string> axes = task_ == "multiple-choice"
                                            ? std::vector<std::string>{"batch", "choice", "sequence"}
                                            : std::vector<std::string>{"batch", "sequence"};
        std::vector<IO> in = {IO{"input_ids", DT::i64, axes, HFX_DUMMY_IDS, 0, o_.vocab_size},
                              IO{"attention_mask", DT::i64, axes, HFX_DUMMY_MASK}};
        if (o_.token_type_ids) in.push_back(IO{"token_type_ids", DT::i64, axes, HFX_DUMMY_IDS, 0, o_.type_vocab_size});
        return in;
    }

private:
    Options o_;
};

// Decoders with a key/value cache: past_key_values.{i}.key|value in,
// present.{i}.key|value out, [batch, kv_heads, past_sequence, head_dim].
class OnnxConfigWithPast : public OnnxConfig {
public:
    struct PastShape {
        int64_t layers = 0, kv_heads = 0, head_dim = 0;
    };
    OnnxConfigWithPast(Graph& g, std::string feature, PastShape past)
        : OnnxConfig(g, task_of(feature)), use_past_(is_with_past(feature)), past_(past) {}

    bool use_past() const override { return use_past_; }
    const PastShape& past_shape() const { return past_; }

    // Adds the cache entries to `io`: "inputs" -> past_key_values.*, "outputs" -> present.*
    void fill_with_past_key_values_(std::vector<IO>& io, const std::string& direction) const {
        bool in = direction == "inputs";
        if (!in && direction != "outputs") throw Error("direction '" + direction + "': expected inputs or outputs");
        std::string seq = in ? "past_sequence" : "past_sequence + sequence";
        for (int64_t i = 0; i < past_.layers; ++i)
            for (const char* kv : {"key", "value"})
                io.push_back(IO{(in ? "past_key_values." : "present.") + std::to_string(i) + "." + kv,
                                DT::f32,
                                {"batch", std::to_string(past_.kv_heads), seq, std::to_string(past_.head_dim)},
                                HFX_DUMMY_NORMAL});
    }
    std::vector<IO> outputs() const override {
        std::vector<IO> out = OnnxConfig::outputs();
        if (use_past_) fill_with_past_key_values_(out, "outputs");
        return out;
    }

protected:
    bool use_past_;
    PastShape past_;
};

// Encoder-decoder models: encoder inputs, decoder_input_ids, and a cache
// split into decoder (self-attention) and encoder (cross-attention) parts.
class OnnxSeq2SeqConfigWithPast : public OnnxConfigWithPast {
public:
    using OnnxConfigWithPast::OnnxConfigWithPast;

    void fill_with_past_key_values_(std::vector<IO>& io, const std::string& direction) const {
        bool in = direction == "inputs";
        for (int64_t i = 0; i < past_.layers; ++i)
            for (const char* part : {"decoder", "encoder"})
                for (const char* kv : {"key", "value"}) {
                    bool self = std::string(part) == "decoder";
                    std::string seq =
                        self ? (in ? "past_decoder_sequence" : "past_decoder_sequence + 1") : "encoder_sequence";
                    io.push_back(IO{(in ? "past_key_values." : "present.") + std::to_string(i) + "." + part + "." + kv,
                                    DT::f32,
                                    {"batch", std::to_string(past_.kv_heads), seq, std::to_string(past_.head_dim)},
                                    HFX_DUMMY_NORMAL});
                }
    }
    std::vector<IO> outputs() const override {
        std::vector<IO> out = OnnxConfig::outputs();
        if (use_past_) fill_with_past_key_values_(out, "outputs");
        return out;
    }
};

}  // namespace hfx
