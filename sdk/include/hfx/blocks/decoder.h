// Decoder-only models with a key/value cache: the OnnxConfig (inputs, past
// layout), the causal + padding mask, and the cache itself. The cache policy
// is chosen by the feature: `-with-past` graphs take past_key_values.{i}.* and
// return present.{i}.*, and accept a past of length 0, so one file serves the
// prompt step and every later step.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "hfx/blocks/attention.h"
#include "hfx/blocks/heads.h"
#include "hfx/onnx_config.h"

namespace hfx {

// How a model stores its cache. `heads_first` is optimum's default,
// key and value [batch, kv_heads, seq, head_dim]; `fused_batch_heads` is
// Bloom's: key [batch*heads, head_dim, seq], value [batch*heads, seq, head_dim].
enum class KvLayout { heads_first, fused_batch_heads };

class DecoderOnnxConfig : public OnnxConfigWithPast {
public:
    struct Options {
        int64_t vocab_size = 2;
        bool position_ids = true;  // the model takes position_ids (not OPT/Bloom)
        PastShape past;
        KvLayout layout = KvLayout::heads_first;
    };
    DecoderOnnxConfig(Graph& g, const std::string& feature, Options o)
        : OnnxConfigWithPast(g, feature, o.past), o_(o) {}

    // optimum's TextDecoderWithPositionIdsOnnxConfig: position_ids only for
    // feature-extraction and text-generation; the classification heads are
    // traced without them (the model then counts 0..sequence-1, as HF does).
    bool takes_position_ids() const { return o_.position_ids && (task_ == "default" || task_ == "causal-lm"); }
    KvLayout layout() const { return o_.layout; }
    bool has_positions() const { return o_.position_ids; }

    std::vector<IO> inputs() const override {
        std::string total = use_past_ ? "past_sequence + sequence" : "sequence";
        std::vector<IO> in = {IO{"input_ids", DT::i64, {"batch", "sequence"}, HFX_DUMMY_IDS, 0, o_.vocab_size},
                              IO{"attention_mask", DT::i64, {"batch", total}, HFX_DUMMY_MASK}};
        if (takes_position_ids()) in.push_back(IO{"position_ids", DT::i64, {"batch", "sequence"}, HFX_DUMMY_POSITIONS});
        if (use_past_) fill_with_past_key_values_(in, "inputs");
        return in;
    }
    std::vector<IO> outputs() const override {
        std::vector<IO> out;
        if (task_ == "default") out.push_back(IO{"last_hidden_state", DT::f32, {"batch", "sequence", "hidden"}});
        else out = OnnxConfig::outputs();
        if (use_past_) fill_with_past_key_values_(out, "outputs");
        return out;
    }
    // The cache entries in this model's layout.
    void fill_with_past_key_values_(std::vector<IO>& io, const std::string& direction) const {
        if (o_.layout == KvLayout::heads_first) return OnnxConfigWithPast::fill_with_past_key_values_(io, direction);
        bool in = direction == "inputs";
        if (!in && direction != "outputs") throw Error("direction '" + direction + "': expected inputs or outputs");
        std::string seq = in ? "past_sequence" : "past_sequence + sequence";
        std::string rows = "batch*" + std::to_string(past_.kv_heads), d = std::to_string(past_.head_dim);
        for (int64_t i = 0; i < past_.layers; ++i) {
            std::string p = (in ? "past_key_values." : "present.") + std::to_string(i) + ".";
            io.push_back(IO{p + "key", DT::f32, {rows, d, seq}, HFX_DUMMY_NORMAL});
            io.push_back(IO{p + "value", DT::f32, {rows, seq, d}, HFX_DUMMY_NORMAL});
        }
    }

private:
    Options o_;
};

// The key/value cache of one export. append() returns the keys/values the
// attention sees (past ++ new, on the sequence axis) and declares them as
// present.{layer}.key|value when the export has a past.
class KvCache {
public:
    KvCache(DecoderOnnxConfig& oc, std::map<std::string, Value>& inputs) : oc_(oc), inputs_(inputs) {}

    // k, v in the config's layout (heads_first: [batch, kv_heads, new, head_dim];
    // fused_batch_heads: k [batch*heads, head_dim, new], v [batch*heads, new, head_dim]).
    std::pair<Value, Value> append(int64_t layer, Value k, Value v) {
        if (!oc_.use_past()) return {k, v};
        bool fused = oc_.layout() == KvLayout::fused_batch_heads;
        std::string p = "past_key_values." + std::to_string(layer) + ".";
        Value keys = concat({inputs_.at(p + "key"), k}, 2);
        Value values = concat({inputs_.at(p + "value"), v}, fused ? 1 : 2);
        oc_.output("present." + std::to_string(layer) + ".key", keys);
        oc_.output("present." + std::to_string(layer) + ".value", values);
        return {keys, values};
    }

private:
    DecoderOnnxConfig& oc_;
    std::map<std::string, Value>& inputs_;
};

// [1, 1, new, past+new] bool, causality alone: key j is visible from query i
// (at absolute position past+i) when j <= past+i. `window` > 0 also hides
// keys `window` or more positions back (sliding-window / GPT-Neo local attention).
inline Value causal_allowed(Value input_ids, Value attention_mask, int64_t window = 0) {
    Graph& g = *input_ids.g;
    Value total = squeeze(dim(attention_mask, 1), {0});
    Value fresh = squeeze(dim(input_ids, 1), {0});
    Value q_pos = unsqueeze(range(total - fresh, total, g.scalar_i64(1)), {1});    // [new, 1]
    Value k_pos = unsqueeze(range(g.scalar_i64(0), total, g.scalar_i64(1)), {0});  // [1, total]
    Value visible = logical_not(greater(k_pos, q_pos));
    if (window > 0) visible = logical_and(visible, greater(k_pos, q_pos - g.scalar_i64(window)));
    return unsqueeze(visible, {0, 1});
}

// [batch, 1, new, past+new] bool: causal_allowed and the mask keeps key j
// (attention_mask != 0, as HF tests `attention_mask.eq(0)`).
inline Value causal_visible(Value input_ids, Value attention_mask, int64_t window = 0) {
    Graph& g = *input_ids.g;
    Value keep = unsqueeze(logical_not(equal(attention_mask, g.scalar_i64(0))), {1, 2});  // [b, 1, 1, total]
    return logical_and(causal_allowed(input_ids, attention_mask, window), keep);
}

// Additive form of causal_visible: 0 where visible, finfo(float32).min elsewhere
// (HF's _prepare_4d_causal_attention_mask / Llama's _update_causal_mask).
inline Value causal_bias(Value input_ids, Value attention_mask, int64_t window = 0) {
    Graph& g = *input_ids.g;
    return where(causal_visible(input_ids, attention_mask, window), g.scalar(0.f), g.scalar(kMaskValue));
}

// GPT-2's own order (also GPT-J, GPT-Neo, GPT-NeoX eager attention):
// where(causal, scores, finfo.min) then + the mask bias. Positions hidden by
// both end at -inf, which matters only for rows that see no token at all.
inline Value mask_scores_causal_then_bias(Value scores, Value causal, Value bias) {
    Graph& g = *scores.g;
    return where(causal, scores, g.scalar(kMaskValue)) + bias;
}

// x[:, -n:] along axis 1, with n the (runtime) size of `like` on axis 1.
inline Value last_columns(Value x, Value like) {
    Graph& g = *x.g;
    Value n = dim(like, 1);
    return g.node("Slice", {x, g.constant_i64({0}) - n, g.constant_i64({INT64_MAX}), g.constant_i64({1})});
}

// cumsum(attention_mask) - 1 per row, [b, total] int64: each real token's
// position counting real tokens only (generate(), Bloom's ALiBi offsets).
inline Value mask_positions(Value attention_mask) {
    return cumsum(attention_mask, 1) - attention_mask.g->scalar_i64(1);
}

// The absolute positions of the new tokens, past .. past + new - 1 ([new], int64):
// HF's cache_position, the positions a decoder uses when given no position_ids.
inline Value new_token_positions(Value input_ids, Value attention_mask) {
    Graph& g = *input_ids.g;
    Value total = squeeze(dim(attention_mask, 1), {0});
    return range(total - squeeze(dim(input_ids, 1), {0}), total, g.scalar_i64(1));
}

// What a decoder-only build starts from: the DecoderOnnxConfig of the feature, its declared
// inputs and the cache. `positions`: position_ids when the feature takes them, else HF's default
// past .. past + s - 1 (the new tokens' absolute positions), [s] (`flat`, GPT-2 and its copies)
// or [1, s] (`batched`); unset when the model reads no positions (OPT, Bloom: .position_ids false).
struct DecoderInputs {
    enum class Positions { flat, batched };
    DecoderOnnxConfig oc;
    std::map<std::string, Value> in;
    Value ids, mask, positions;
    KvCache cache;
    DecoderInputs(Graph& g, const DecoderOnnxConfig::Options& o, Positions p = Positions::flat)
        : oc(g, g.feature(), o), in(oc.declare_inputs()), ids(in.at("input_ids")), mask(in.at("attention_mask")),
          positions(positions_of(p)), cache(oc, in) {}
    DecoderInputs(const DecoderInputs&) = delete;  // the cache refers to `oc` and `in`

private:
    Value positions_of(Positions p) const {
        if (in.count("position_ids")) return in.at("position_ids");
        if (!oc.has_positions()) return {};
        Value fresh = new_token_positions(ids, mask);
        return p == Positions::batched ? unsqueeze(fresh, {0}) : fresh;
    }
};

// The index of the last real token per row, as HF's *ForSequenceClassification
// pools: (first position where input_ids == pad_token_id) - 1, modulo the length.
// Without a pad token HF takes the last position.
inline Value last_token_index(Value input_ids, std::optional<int64_t> pad_token_id) {
    Graph& g = *input_ids.g;
    Value len = squeeze(dim(input_ids, 1), {0});
    if (!pad_token_id) return expand(len - g.scalar_i64(1), dim(input_ids, 0));
    Value is_pad = cast(equal(input_ids, g.scalar_i64(*pad_token_id)), DT::i32);
    Value first_pad = cast(argmax(is_pad, -1, false), DT::i64);
    return binary("Mod", first_pad - g.scalar_i64(1) + len, len);
}

// hidden[b, index[b]]: [b, s, h], [b] -> [b, h]
inline Value gather_rows(Value hidden, Value index) {
    Graph& g = *hidden.g;
    Value batch = range(g.scalar_i64(0), squeeze(dim(hidden, 0), {0}), g.scalar_i64(1));
    Value flat_index = batch * squeeze(dim(hidden, 1), {0}) + index;
    Value flat = reshape(hidden, concat({g.constant_i64({-1}), dim(hidden, 2)}, 0));
    return gather(flat, flat_index, 0);
}

// The LM head of a decoder: `head`.weight, or the input embeddings when the
// config ties them (tie_word_embeddings; `tie_default` is the default of the
// model's config class). An untied checkpoint without its head is an error:
// transformers would initialise that head randomly.
inline Value causal_lm_head(const Weights& head, const Weights& embedding, Value x, int64_t hidden, int64_t vocab,
                            bool tie_default) {
    bool tie = head.graph().config().b("tie_word_embeddings", tie_default);
    if (!tie && !head.has("weight"))
        throw Error("tensor '" + head.path("weight") + "': not in the checkpoint and tie_word_embeddings is false");
    return tied_lm_projection(head, embedding, x, hidden, vocab);
}

// The pad token of config.json, if any (sequence-classification pooling).
inline std::optional<int64_t> pad_token_id(const Config& c) {
    if (!c.has("pad_token_id")) return std::nullopt;
    return c.i("pad_token_id");
}

struct DecoderHeadOptions {
    Weights embedding;                    // the input embedding an untied LM head falls back to
    int64_t hidden = -1, vocab = -1;      // hidden: the width of x (OPT's word_embed_proj_dim)
    std::optional<int64_t> pad_token_id;  // sequence-classification pooling (pad_token_id(config))
    std::string lm_head = "lm_head";      // the causal-lm head's module (GPT-NeoX: embed_out)
    bool lm_head_bias = false;            // the LM head has a bias (GPT-J, Phi)
    // Set: the config class's tie_word_embeddings default, and an untied head
    // must be in the checkpoint (causal_lm_head). Unset: fall back to the embedding.
    std::optional<bool> tie_default;
    // Score every token, then pick the last real one (Llama, Falcon, Phi order);
    // otherwise pick first and score one row (GPT-2 and its copies).
    bool score_then_pick = false;
    // Gemma 2's final_logit_softcapping: causal-lm logits = cap * tanh(logits / cap).
    std::optional<float> logit_softcap;
};

// The task outputs of a decoder-only model: default -> last_hidden_state;
// causal-lm -> lm_head (tied to the input embedding when the checkpoint does not
// store it); sequence-classification -> score (no bias) on the last real token
// (gather_rows(last_token_index)); token-classification -> classifier.
// x [b, s, hidden]; `input_ids` the graph's input, for the pooled token.
inline void decoder_task_outputs(OnnxConfig& oc, Value x, Value input_ids, const DecoderHeadOptions& o) {
    Graph& g = o.embedding.graph();
    const std::string& task = oc.task();
    int64_t labels = g.config().num_labels();
    if (task == "default") {
        oc.output("last_hidden_state", x);
    } else if (task == "causal-lm") {
        Weights head(g, o.lm_head);
        Value logits = o.tie_default ? causal_lm_head(head, o.embedding, x, o.hidden, o.vocab, *o.tie_default)
                                     : tied_lm_projection(head, o.embedding, x, o.hidden, o.vocab);
        if (o.lm_head_bias) {
            auto s = head.scope();
            logits = logits + head.get("bias", {o.vocab});
        }
        if (o.logit_softcap) logits = tanh(logits / *o.logit_softcap) * *o.logit_softcap;
        oc.output("logits", logits);
    } else if (task == "sequence-classification") {
        LinearOptions score{.in = o.hidden, .out = labels, .bias = false};
        if (o.score_then_pick) {
            Value logits = linear(Weights(g, "score"), x, score);  // [b, s, labels]
            oc.output("logits", gather_rows(logits, last_token_index(input_ids, o.pad_token_id)));
        } else {
            Value last = gather_rows(x, last_token_index(input_ids, o.pad_token_id));  // [b, hidden]
            oc.output("logits", linear(Weights(g, "score"), last, score));
        }
    } else if (task == "token-classification") {
        oc.output("logits", linear(Weights(g, "classifier"), x, {.in = o.hidden, .out = labels}));
    } else {
        throw Error("feature '" + task + "': not supported by this model");
    }
}

}  // namespace hfx
