// DeBERTa, following transformers 4.40.2 src/transformers/models/deberta/modeling_deberta.py
// (DebertaModel and its task heads): disentangled self-attention with
// content->position / position->content relative scores, XSoftmax masking,
// ContextPooler heads.
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct DebertaConfig : DebertaLikeConfig {
    explicit DebertaConfig(const Config& c) : DebertaLikeConfig(c) {
        if (c.b("talking_head", false))
            throw Error("config key 'talking_head': talking-head attention is not supported");
    }
    int64_t head_dim() const { return hidden / heads; }
};

using Relative = DisentangledRelative;

// DisentangledSelfAttention. x: [b, s, hidden] -> [b, s, hidden]
Value self_attention(const Weights& vb, const DebertaConfig& c, Value x, const Relative& r) {
    auto s = vb.scope();
    int64_t hd = c.head_dim(), all = c.heads * hd;
    // in_proj packs q|k|v per head: [b, s, heads, 3*hd] -> three [b, heads, s, hd]
    Value qp = transpose(
        reshape(linear(vb.pp("in_proj"), x, {.in = c.hidden, .out = 3 * all, .bias = false}), {0, 0, c.heads, 3 * hd}),
        {0, 2, 1, 3});
    auto qkv = split(qp, -1, {hd, hd, hd});
    Value q = qkv[0] + reshape(vb.get("q_bias", {all}), {1, c.heads, 1, hd});
    Value k = qkv[1];
    Value v = qkv[2] + reshape(vb.get("v_bias", {all}), {1, c.heads, 1, hd});
    float scale = c.scale(hd);
    q = q / scale;
    Value scores = matmul(q, transpose(k, {0, 1, 3, 2}));
    if (c.relative_attention && !c.pos_att.empty()) {
        std::optional<Value> rel_att;
        auto add = [&](Value t) { rel_att = rel_att ? *rel_att + t : t; };
        if (c.c2p()) {
            Value pos_key = split_heads(
                linear(vb.pp("pos_proj"), r.rel_embeddings, {.in = c.hidden, .out = all, .bias = false}), c.heads, hd);
            add(c2p_scores(q, pos_key, r.c2p_pos));
        }
        if (c.p2c()) {
            Value pos_query =
                split_heads(linear(vb.pp("pos_q_proj"), r.rel_embeddings, {.in = c.hidden, .out = all}), c.heads, hd);
            add(p2c_scores(k, pos_query / scale, r.p2c_pos));
        }
        scores = scores + *rel_att;
    }
    return merge_heads(matmul(masked_softmax(scores, r.keep), v));
}

Value layer(const Weights& vb, const DebertaConfig& c, Value x, const Relative& r) {
    auto s = vb.scope();
    Value ctx = self_attention(vb.pp("attention.self"), c, x, r);
    return bert_layer_output(vb, ctx, x, c.layer_options());
}

// DebertaEncoder.get_attention_mask / get_rel_pos / the rel_embeddings rows
// disentangled_att_bias uses: att_span = min(seq, max_relative_positions).
Relative relative(const Weights& encoder, const DebertaConfig& c, Value x, Value mask) {
    Graph& g = encoder.graph();
    auto s = encoder.scope();
    Relative r{.keep = pairwise_mask(mask)};
    if (!c.relative_attention) return r;
    Value len = dim(x, 1);                                                // [1]
    Value span = min_i64(len, g.constant_i64({c.max_rel}));               // [1]
    Value rel = relative_position(squeeze(len, {0}), squeeze(len, {0}));  // [s, s] = i - j
    Value lo = g.constant_i64({0}, {}), hi = squeeze(span, {0}) * g.scalar_i64(2) - g.scalar_i64(1);
    r.c2p_pos = clamp_i64(rel + squeeze(span, {0}), lo, hi);
    r.p2c_pos = clamp_i64(neg(rel) + squeeze(span, {0}), lo, hi);
    Value table = encoder.get("rel_embeddings.weight", {2 * c.max_rel, c.hidden});
    Value rows = g.node(
        "Slice", {table, g.constant_i64({c.max_rel}) - span, g.constant_i64({c.max_rel}) + span, g.constant_i64({0})});
    r.rel_embeddings = unsqueeze(rows, {0});
    return r;
}

void build(Graph& g) {
    DebertaConfig c(g.config());
    TextEncoderOnnxConfig oc(g, g.feature(), c.onnx_options());
    oc.default_onnx_opset = 12;
    TextInputs t = text_inputs(oc);  // multiple-choice: [b*choices, s]

    Weights db = Weights::base(g, "deberta", "embeddings.word_embeddings.weight");
    Value x = deberta_embeddings(db.pp("embeddings"), t.ids, t.token_type_ids, t.mask, c.embedding_options());
    Relative r = relative(db.pp("encoder"), c, x, t.mask);
    for (int64_t i = 0; i < c.layers; ++i) x = layer(db.pp("encoder.layer", i), c, x, r);
    deberta_task_outputs(oc, db, x, t.input_ids, c);
}

}  // namespace

HFX_PLUGIN("deberta", "0.1.0") {
    reg.add(
        {.model_type = "deberta",
         .features = {"default", "masked-lm", "sequence-classification", "token-classification", "question-answering"},
         .reference = "transformers 4.40.2 models/deberta/modeling_deberta.py",
         .build = build,
         .tiny_config = R"({"model_type": "deberta", "vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "intermediate_size": 37, "hidden_act": "gelu", "max_position_embeddings": 64,
                 "type_vocab_size": 0, "layer_norm_eps": 1e-7, "relative_attention": true, "max_relative_positions": -1,
                 "position_biased_input": false, "pos_att_type": ["c2p", "p2c"], "pooler_hidden_size": 32,
                 "pooler_hidden_act": "gelu", "num_labels": 2})"});
}
