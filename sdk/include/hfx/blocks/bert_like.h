// The BERT family's shared modules (transformers 4.40.2 modeling_bert.py and
// the "Copied from" modules of roberta, xlm_roberta_xl, electra, layoutlm,
// big_bird, ibert, ...): embeddings, the post-LN and pre-LN encoder layers,
// pooler and the common heads. Weight names are HF's, relative to the view.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "hfx/blocks/attention.h"
#include "hfx/blocks/heads.h"
#include "hfx/blocks/nn.h"
#include "hfx/blocks/summary.h"
#include "hfx/onnx_config.h"

namespace hfx {

// RoBERTa's create_position_ids_from_input_ids: padding keeps padding_idx,
// tokens count from padding_idx + 1. ids [b, s] -> [b, s] int64
inline Value roberta_position_ids(Value ids, int64_t padding_idx) {
    Graph& g = *ids.g;
    Value mask = cast(logical_not(equal(ids, g.scalar_i64(padding_idx))), DT::i64);
    return cumsum(mask, 1) * mask + g.scalar_i64(padding_idx);
}

// 0..seq-1 as [1, s] (BERT's registered position_ids buffer).
inline Value arange_positions(Value ids) {
    Graph& g = *ids.g;
    return unsqueeze(range(g.scalar_i64(0), squeeze(dim(ids, 1), {0}), g.scalar_i64(1)), {0});
}

struct BertEmbeddingsOptions {
    int64_t dim = -1;  // hidden_size (embedding_size for ELECTRA / ALBERT)
    int64_t vocab = -1, type_vocab = -1, max_pos = -1;
    double eps = 1e-12;
    std::optional<Value> token_type_ids;  // absent: zeros (the registered token_type_ids buffer)
    std::optional<Value> position_ids;    // absent: 0..seq-1
    bool layer_norm = true;               // XLM-RoBERTa-XL has none here
    float word_scale = 1.f;               // BigBird's rescale_embeddings: sqrt(hidden_size)
};

// BertEmbeddings: word + token type + absolute position, then LayerNorm.
// ids [b, s] -> [b, s, dim]
inline Value bert_embeddings(const Weights& vb, Value ids, const BertEmbeddingsOptions& o) {
    Graph& g = vb.graph();
    auto s = vb.scope();
    Value x = embedding(vb.pp("word_embeddings"), ids, o.vocab, o.dim);
    if (o.word_scale != 1.f) x = x * o.word_scale;
    Value types = o.token_type_ids ? *o.token_type_ids : g.scalar_i64(0);  // row 0 broadcasts like the zeros buffer
    x = x + embedding(vb.pp("token_type_embeddings"), types, o.type_vocab, o.dim);
    Value positions = o.position_ids ? *o.position_ids : arange_positions(ids);
    x = x + embedding(vb.pp("position_embeddings"), positions, o.max_pos, o.dim);
    if (!o.layer_norm) return x;
    return layer_norm(vb.pp("LayerNorm"), x, {.dim = o.dim, .eps = o.eps});
}

struct BertLayerOptions {
    int64_t hidden = -1, heads = -1, inter = -1;
    double eps = 1e-12;
    std::string act = "gelu";
    bool qkv_bias = true;        // BigBird's use_bias
    int64_t context_width = -1;  // the attention context's width (DeBERTa-v2's heads * attention_head_size); -1: hidden
};

// BertSelfAttention (eager, absolute positions): vb = "...attention.self".
// x [b, s, hidden], mask_bias [b, 1, 1, s] -> context [b, s, hidden]
inline Value bert_self_attention(const Weights& vb, Value x, Value mask_bias, const BertLayerOptions& o) {
    int64_t head_dim = o.hidden / o.heads;
    auto proj = [&](const char* name) {
        return split_heads(linear(vb.pp(name), x, {.in = o.hidden, .out = o.hidden, .bias = o.qkv_bias}), o.heads,
                           head_dim);
    };
    Value q = proj("query"), k = proj("key"), v = proj("value");
    auto s = vb.scope();
    return merge_heads(scaled_dot_product(q, k, v, {.head_dim = head_dim, .bias = mask_bias}));
}

// BertSelfOutput / BertOutput: LayerNorm(dense(x) + residual).
// x [b, s, in], residual [b, s, hidden]. Opens no scope: the Add and the
// LayerNorm's nodes sit in the caller's (the layer's), as HF's module tree has them.
inline Value bert_output(const Weights& vb, Value x, Value residual, int64_t in, const BertLayerOptions& o) {
    return layer_norm(vb.pp("LayerNorm"), linear(vb.pp("dense"), x, {.in = in, .out = o.hidden}) + residual,
                      {.dim = o.hidden, .eps = o.eps});
}

// BertLayer after its self-attention: attention.output, intermediate, output.
// Shared by the layers whose attention differs (RoFormer, DeBERTa, ...).
// ctx [b, s, context_width], x the layer input [b, s, hidden]
inline Value bert_layer_output(const Weights& vb, Value ctx, Value x, const BertLayerOptions& o) {
    Value h = bert_output(vb.pp("attention.output"), ctx, x, o.context_width > 0 ? o.context_width : o.hidden, o);
    Value up = activation(linear(vb.pp("intermediate.dense"), h, {.in = o.hidden, .out = o.inter}), o.act);
    return bert_output(vb.pp("output"), up, h, o.inter, o);
}

// BertLayer (post-LN): attention.{self,output.dense,output.LayerNorm},
// intermediate.dense, output.{dense,LayerNorm}. x [b, s, hidden]
inline Value bert_layer(const Weights& vb, Value x, Value mask_bias, const BertLayerOptions& o) {
    auto s = vb.scope();
    return bert_layer_output(vb, bert_self_attention(vb.pp("attention.self"), x, mask_bias, o), x, o);
}

// XLMRobertaXLLayer (pre-LN): attention.self_attn_layer_norm before the
// attention, LayerNorm before the intermediate; residuals without norms.
inline Value bert_pre_ln_layer(const Weights& vb, Value x, Value mask_bias, const BertLayerOptions& o) {
    auto s = vb.scope();
    Value normed = layer_norm(vb.pp("attention.self_attn_layer_norm"), x, {.dim = o.hidden, .eps = o.eps});
    Value ctx = bert_self_attention(vb.pp("attention.self"), normed, mask_bias, o);
    Value h = linear(vb.pp("attention.output.dense"), ctx, {.in = o.hidden, .out = o.hidden}) + x;
    Value up = layer_norm(vb.pp("LayerNorm"), h, {.dim = o.hidden, .eps = o.eps});
    up = activation(linear(vb.pp("intermediate.dense"), up, {.in = o.hidden, .out = o.inter}), o.act);
    return linear(vb.pp("output.dense"), up, {.in = o.inter, .out = o.hidden}) + h;
}

// BertPooler: tanh(dense(hidden[:, 0])). [b, s, h] -> [b, h]
inline Value bert_pooler(const Weights& vb, Value hidden, int64_t hidden_size) {
    auto s = vb.scope();
    return tanh(linear(vb.pp("dense"), first_token(hidden), {.in = hidden_size, .out = hidden_size}));
}

struct ClassificationHeadOptions {
    int64_t hidden = -1, labels = -1;
    std::string act = "tanh";  // ELECTRA / BigBird use gelu / hidden_act
};

// RobertaClassificationHead: out_proj(act(dense(hidden[:, 0]))). [b, s, h] -> [b, labels]
inline Value classification_head(const Weights& vb, Value hidden, const ClassificationHeadOptions& o) {
    auto s = vb.scope();
    Value x = activation(linear(vb.pp("dense"), first_token(hidden), {.in = o.hidden, .out = o.hidden}), o.act);
    return linear(vb.pp("out_proj"), x, {.in = o.hidden, .out = o.labels});
}

struct LmHeadOptions {
    int64_t hidden = -1, vocab = -1;
    double eps = 1e-12;
    std::string act = "gelu";
    int64_t embed = -1;  // the transform's width (DeBERTa's embedding_size); -1: hidden
};

// RobertaLMHead: decoder(layer_norm(gelu(dense(x)))) + bias, the decoder tied
// to the word embeddings when the checkpoint does not store it. [b, s, h] -> [b, s, vocab]
inline Value roberta_lm_head(const Weights& vb, const Weights& word_embeddings, Value x, const LmHeadOptions& o) {
    auto s = vb.scope();
    Value h = activation(linear(vb.pp("dense"), x, {.in = o.hidden, .out = o.hidden}), o.act);
    h = layer_norm(vb.pp("layer_norm"), h, {.dim = o.hidden, .eps = o.eps});
    return tied_lm_projection(vb.pp("decoder"), word_embeddings, h, o.hidden, o.vocab) + vb.get("bias", {o.vocab});
}

// BertOnlyMLMHead (cls.predictions): transform.{dense,LayerNorm}, decoder + bias.
inline Value bert_lm_head(const Weights& vb, const Weights& word_embeddings, Value x, const LmHeadOptions& o) {
    auto s = vb.scope();
    int64_t e = o.embed > 0 ? o.embed : o.hidden;
    Weights t = vb.pp("transform");
    Value h = activation(linear(t.pp("dense"), x, {.in = o.hidden, .out = e}), o.act);
    h = layer_norm(t.pp("LayerNorm"), h, {.dim = e, .eps = o.eps});
    return tied_lm_projection(vb.pp("decoder"), word_embeddings, h, e, o.vocab) + vb.get("bias", {o.vocab});
}

struct RobertaTaskOptions {
    int64_t hidden = -1, vocab = -1, labels = -1;
    double eps = 1e-12;
};

// The task heads of RoBERTa and its copies (XLM-RoBERTa-XL, I-BERT, Data2VecText):
// default -> last_hidden_state + pooler_output; masked-lm -> lm_head;
// sequence-classification -> classifier (RobertaClassificationHead);
// multiple-choice -> classifier on the pooler; token-classification -> classifier;
// question-answering -> qa_outputs. `base` is the base model's view (holds
// embeddings and pooler), `ids` the graph's input_ids (for the choice axis).
inline void roberta_task_outputs(OnnxConfig& oc, const Weights& base, Value x, Value ids, const RobertaTaskOptions& o) {
    Graph& g = base.graph();
    const std::string& task = oc.task();
    if (task == "default") {
        oc.output("last_hidden_state", x);
        oc.output("pooler_output", bert_pooler(base.pp("pooler"), x, o.hidden));
    } else if (task == "masked-lm") {
        oc.output("logits", roberta_lm_head(Weights(g, "lm_head"), base.pp("embeddings.word_embeddings"), x,
                                            {.hidden = o.hidden, .vocab = o.vocab, .eps = o.eps}));
    } else if (task == "sequence-classification") {
        oc.output("logits", classification_head(Weights(g, "classifier"), x, {.hidden = o.hidden, .labels = o.labels}));
    } else if (task == "multiple-choice") {
        Value logits =
            linear(Weights(g, "classifier"), bert_pooler(base.pp("pooler"), x, o.hidden), {.in = o.hidden, .out = 1});
        oc.output("logits", unflatten_choices(logits, ids));
    } else if (task == "token-classification") {
        oc.output("logits", linear(Weights(g, "classifier"), x, {.in = o.hidden, .out = o.labels}));
    } else if (task == "question-answering") {
        auto [start, end] = qa_head(Weights(g, "qa_outputs"), x, o.hidden);
        oc.output("start_logits", start);
        oc.output("end_logits", end);
    } else {
        throw Error("feature '" + task + "': not supported by this model");
    }
}

// DeBERTa's ContextPooler: pooler_hidden_act(dense(hidden[:, 0])) under "pooler".
// [b, s, h] -> [b, pooler_hidden]
inline Value context_pooler(const Weights& vb, Value hidden, int64_t pooler_hidden, const std::string& act) {
    return activation(linear(vb.pp("dense"), first_token(hidden), {.in = pooler_hidden, .out = pooler_hidden}), act);
}

// Only absolute position embeddings are built: BertSelfAttention and its copies
// would add relative_key / relative_key_query scores the export leaves out.
inline void require_absolute_positions(const Config& c) {
    std::string type = c.s("position_embedding_type", "absolute");
    if (type != "absolute")
        throw Error("config key 'position_embedding_type': '" + type +
                    "' is not supported, only 'absolute' (config.json)");
}

struct BertLikeDefaults {
    std::string act = "gelu";  // hidden_act's default (ALBERT, BigBird: gelu_new)
};

// The keys BertConfig and its copies (ELECTRA, ALBERT, BigBird, SqueezeBERT,
// LayoutLM, RoBERTa, ...) read alike, with HF's defaults.
struct BertLikeConfig {
    int64_t hidden, heads, layers, inter, vocab, type_vocab, max_pos;
    double eps;
    std::string act;
    explicit BertLikeConfig(const Config& c, const BertLikeDefaults& d = {})
        : hidden(c.i("hidden_size")), heads(c.i("num_attention_heads")), layers(c.i("num_hidden_layers")),
          inter(c.i("intermediate_size")), vocab(c.i("vocab_size")), type_vocab(c.i("type_vocab_size", 2)),
          max_pos(c.i("max_position_embeddings")), eps(c.f("layer_norm_eps", 1e-12)), act(c.s("hidden_act", d.act)) {
        require_absolute_positions(c);
        c.require_divisible("hidden_size", hidden, "num_attention_heads", heads);
    }
    // BertLayer's options for this config.
    BertLayerOptions layer_options() const {
        return {.hidden = hidden, .heads = heads, .inter = inter, .eps = eps, .act = act};
    }
    // The inputs BertOnnxConfig declares for this config (token_type_ids included).
    TextEncoderOnnxConfig::Options onnx_options() const { return {.type_vocab_size = type_vocab, .vocab_size = vocab}; }
    // BertEmbeddings' options at width `dim`: hidden_size, or ALBERT / ELECTRA's embedding_size.
    BertEmbeddingsOptions embeddings_options(int64_t dim, std::optional<Value> token_type_ids) const {
        return {.dim = dim,
                .vocab = vocab,
                .type_vocab = type_vocab,
                .max_pos = max_pos,
                .eps = eps,
                .token_type_ids = token_type_ids};
    }
};

// The text inputs the encoder body runs on: multiple-choice flattens
// [batch, choices, seq] to [batch*choices, seq]; token_type_ids when declared.
struct TextInputs {
    Value ids, mask;
    std::optional<Value> token_type_ids;
    Value input_ids;  // the graph's own input, whose choice axis the multiple-choice logits fold back to
};
inline TextInputs text_inputs(const OnnxConfig& oc, const std::map<std::string, Value>& in) {
    bool choices = oc.task() == "multiple-choice";
    auto take = [&](const char* name) { return choices ? flatten_choices(in.at(name)) : in.at(name); };
    TextInputs t{.ids = take("input_ids"), .mask = take("attention_mask"), .input_ids = in.at("input_ids")};
    if (in.count("token_type_ids")) t.token_type_ids = take("token_type_ids");
    return t;
}
// Declares oc's inputs, then as above (for encoders that read no other input).
inline TextInputs text_inputs(OnnxConfig& oc) { return text_inputs(oc, oc.declare_inputs()); }

// The parts of an encoder's task heads that differ between models; each takes
// the last hidden state x [b, s, hidden]. Unset parts take the common head.
struct EncoderHeadOptions {
    int64_t hidden = -1;
    int64_t pooled_hidden = -1;                 // width of `pooled` (DeBERTa's pooler_hidden_size); -1: hidden
    std::function<Value(Value)> pooler_output;  // default's pooler_output; unset: the model has no pooler
    std::function<Value(Value)> pooled;         // [b, pooled_hidden], read by `classifier`; unset: pooler_output
    std::function<Value(Value)> masked_lm;      // logits [b, s, vocab]
    std::function<Value(Value)> sequence_classification;               // logits [b, labels]; unset: classifier(pooled)
    std::function<Value(Value)> choice_pooled;                         // multiple-choice's [b*c, hidden]; unset: pooled
    std::function<std::pair<Value, Value>(Value)> question_answering;  // unset: qa_head(qa_outputs)
};

// The heads ELECTRA has and ConvBERT and RoFormer copy: no pooler; sequence
// classification by classification_head with `act` (their hidden_act; ELECTRA
// hard-codes gelu); multiple choice on sequence_summary (the summary_* keys).
// The caller adds masked_lm.
inline EncoderHeadOptions electra_style_heads(Graph& g, int64_t hidden, const std::string& act) {
    return {.hidden = hidden,
            .sequence_classification =
                [&g, hidden, act](Value h) {
                    return classification_head(Weights(g, "classifier"), h,
                                               {.hidden = hidden, .labels = g.config().num_labels(), .act = act});
                },
            .choice_pooled =
                [&g, hidden](Value h) {
                    return sequence_summary(Weights(g, "sequence_summary"), h,
                                            SequenceSummaryOptions::from(g.config(), hidden));
                }};
}

// The task outputs of a BERT-like encoder: default -> last_hidden_state (+
// pooler_output); masked-lm; sequence-classification -> classifier on the pooled
// vector; multiple-choice -> classifier (-> 1) per choice, folded back to
// [b, choices]; token-classification -> classifier; question-answering ->
// qa_outputs. `input_ids` is the graph's input (the choice axis).
inline void encoder_task_outputs(OnnxConfig& oc, Value x, Value input_ids, const EncoderHeadOptions& o) {
    Graph& g = *x.g;
    const std::string& task = oc.task();
    int64_t labels = g.config().num_labels();
    int64_t pooled_hidden = o.pooled_hidden > 0 ? o.pooled_hidden : o.hidden;
    auto pooled = [&](Value h) {
        if (!o.pooled && !o.pooler_output) throw Error("feature '" + task + "': this model has no pooled head");
        return o.pooled ? o.pooled(h) : o.pooler_output(h);
    };
    if (task == "default") {
        oc.output("last_hidden_state", x);
        if (o.pooler_output) oc.output("pooler_output", o.pooler_output(x));
    } else if (task == "masked-lm" && o.masked_lm) {
        oc.output("logits", o.masked_lm(x));
    } else if (task == "sequence-classification" && o.sequence_classification) {
        oc.output("logits", o.sequence_classification(x));
    } else if (task == "sequence-classification") {
        oc.output("logits", linear(Weights(g, "classifier"), pooled(x), {.in = pooled_hidden, .out = labels}));
    } else if (task == "multiple-choice") {
        Value p = o.choice_pooled ? o.choice_pooled(x) : pooled(x);
        int64_t width = o.choice_pooled ? o.hidden : pooled_hidden;
        oc.output("logits", unflatten_choices(linear(Weights(g, "classifier"), p, {.in = width, .out = 1}), input_ids));
    } else if (task == "token-classification") {
        oc.output("logits", linear(Weights(g, "classifier"), x, {.in = o.hidden, .out = labels}));
    } else if (task == "question-answering") {
        auto [start, end] =
            o.question_answering ? o.question_answering(x) : qa_head(Weights(g, "qa_outputs"), x, o.hidden);
        oc.output("start_logits", start);
        oc.output("end_logits", end);
    } else {
        throw Error("feature '" + task + "': not supported by this model");
    }
}

}  // namespace hfx
