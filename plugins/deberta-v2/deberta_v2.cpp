// DeBERTa-v2, following transformers 4.40.2 src/transformers/models/deberta_v2/modeling_deberta_v2.py
// (DebertaV2Model and its task heads): disentangled attention over log-bucketed
// relative positions (position_buckets), shared attention keys, normalized
// relative embeddings, the optional ConvLayer after the first layer.
#include <hfx/hfx.h>

using namespace hfx;

namespace {

// DebertaV2Config: DeBERTa's keys plus attention_head_size, log buckets, shared
// attention keys, normalized relative embeddings and the ConvLayer.
struct DebertaV2Config : DebertaLikeConfig {
    int64_t head_dim, buckets, conv_kernel, conv_groups;
    std::string conv_act;
    bool share_att_key, norm_rel_ebd;
    explicit DebertaV2Config(const Config& c)
        : DebertaLikeConfig(c), head_dim(c.i("attention_head_size", hidden / heads)),
          buckets(c.i("position_buckets", -1)), conv_kernel(c.i("conv_kernel_size", 0)),
          conv_groups(c.i("conv_groups", 1)), conv_act(c.s("conv_act", "tanh")),
          share_att_key(c.b("share_att_key", false)) {
        std::string norm = c.s("norm_rel_ebd", "none");
        for (char& ch : norm) ch = char(std::tolower(static_cast<unsigned char>(ch)));
        norm_rel_ebd = norm.find("layer_norm") != std::string::npos;
    }
    int64_t all_head_size() const { return heads * head_dim; }
    int64_t span() const { return buckets > 0 ? buckets : max_rel; }  // pos_ebd_size
    BertLayerOptions layer_options() const {
        BertLayerOptions o = DebertaLikeConfig::layer_options();
        o.context_width = all_head_size();  // the attention output maps all_head_size back to hidden
        return o;
    }
};

using Relative = DisentangledRelative;

// DisentangledSelfAttention. x: [b, s, hidden] -> [b, s, all_head_size]
Value self_attention(const Weights& vb, const DebertaV2Config& c, Value x, const Relative& r) {
    auto s = vb.scope();
    int64_t hd = c.head_dim, all = c.all_head_size();
    auto proj = [&](const std::string& name, Value in) {
        return split_heads(linear(vb.pp(name), in, {.in = c.hidden, .out = all}), c.heads, hd);
    };
    Value q = proj("query_proj", x), k = proj("key_proj", x), v = proj("value_proj", x);
    float scale = c.scale(hd);
    Value scores = matmul(q, transpose(k, {0, 1, 3, 2})) / scale;
    if (c.relative_attention && !c.pos_att.empty()) {
        std::optional<Value> rel_att;
        auto add = [&](Value t) { rel_att = rel_att ? *rel_att + t : t; };
        if (c.c2p()) {
            Value pos_key = proj(c.share_att_key ? "key_proj" : "pos_key_proj", r.rel_embeddings);
            add(c2p_scores(q, pos_key, r.c2p_pos) / scale);
        }
        if (c.p2c()) {
            Value pos_query = proj(c.share_att_key ? "query_proj" : "pos_query_proj", r.rel_embeddings);
            add(p2c_scores(k, pos_query, r.p2c_pos) / scale);
        }
        scores = scores + *rel_att;
    }
    return merge_heads(matmul(masked_softmax(scores, r.keep), v));
}

Value layer(const Weights& vb, const DebertaV2Config& c, Value x, const Relative& r) {
    auto s = vb.scope();
    Value ctx = self_attention(vb.pp("attention.self"), c, x, r);
    return bert_layer_output(vb, ctx, x, c.layer_options());
}

// ConvLayer: conv1d over the encoder input, zeroed on padding, conv_act, LayerNorm(residual + out), zeroed on padding.
Value conv_layer(const Weights& vb, const DebertaV2Config& c, Value hidden, Value residual, Value mask) {
    auto s = vb.scope();
    int64_t k = c.conv_kernel, pad = (k - 1) / 2;
    Value out = [&] {
        auto s2 = vb.pp("conv").scope();
        return hidden.g->node(
            "Conv",
            {transpose(hidden, {0, 2, 1}), vb.get("conv.weight", {c.hidden, c.hidden / c.conv_groups, k}),
             vb.get("conv.bias", {c.hidden})},
            {A::integer("group", c.conv_groups), A::list("kernel_shape", {k}), A::list("pads", {pad, pad})});
    }();
    Value keep = unsqueeze(cast(mask, DT::f32), {2});  // [b, s, 1]
    out = activation(transpose(out, {0, 2, 1}) * keep, c.conv_act);
    return layer_norm(vb.pp("LayerNorm"), residual + out, {.dim = c.hidden, .eps = c.eps}) * keep;
}

// DebertaV2Encoder: get_attention_mask, get_rel_pos (log buckets), get_rel_embedding (LayerNorm).
Relative relative(const Weights& encoder, const DebertaV2Config& c, Value x, Value mask) {
    Graph& g = encoder.graph();
    auto s = encoder.scope();
    Relative r{.keep = pairwise_mask(mask)};
    if (!c.relative_attention) return r;
    Value len = squeeze(dim(x, 1), {0});
    Value rel = relative_position(len, len);
    if (c.buckets > 0 && c.max_rel > 0) rel = log_bucket_position(rel, c.buckets, c.max_rel);
    int64_t span = c.span();
    Value lo = g.scalar_i64(0), hi = g.scalar_i64(2 * span - 1);
    r.c2p_pos = clamp_i64(rel + g.scalar_i64(span), lo, hi);
    r.p2c_pos = clamp_i64(neg(rel) + g.scalar_i64(span), lo, hi);
    int64_t rows = c.buckets > 0 ? 2 * c.buckets : 2 * c.max_rel;
    Value table = encoder.get("rel_embeddings.weight", {rows, c.hidden});
    if (c.norm_rel_ebd) table = layer_norm(encoder.pp("LayerNorm"), table, {.dim = c.hidden, .eps = c.eps});
    r.rel_embeddings = unsqueeze(slice(table, 0, 0, 2 * span), {0});
    return r;
}

void build(Graph& g) {
    DebertaV2Config c(g.config());
    TextEncoderOnnxConfig oc(g, g.feature(), c.onnx_options());
    oc.default_onnx_opset = 12;
    TextInputs t = text_inputs(oc);  // multiple-choice: [b*choices, s]

    Weights db = Weights::base(g, "deberta", "embeddings.word_embeddings.weight");
    Value x = deberta_embeddings(db.pp("embeddings"), t.ids, t.token_type_ids, t.mask, c.embedding_options());
    Relative r = relative(db.pp("encoder"), c, x, t.mask);
    Value embedded = x;
    for (int64_t i = 0; i < c.layers; ++i) {
        x = layer(db.pp("encoder.layer", i), c, x, r);
        if (i == 0 && c.conv_kernel > 0) x = conv_layer(db.pp("encoder.conv"), c, embedded, x, t.mask);
    }
    deberta_task_outputs(oc, db, x, t.input_ids, c);
}

}  // namespace

HFX_PLUGIN("deberta-v2", "0.1.0") {
    reg.add({.model_type = "deberta-v2",
             .features = kTextEncoderFeatures,
             .reference = "transformers 4.40.2 models/deberta_v2/modeling_deberta_v2.py",
             .build = build,
             .tiny_config = R"({"model_type": "deberta-v2", "vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "intermediate_size": 37, "hidden_act": "gelu", "max_position_embeddings": 64,
                 "type_vocab_size": 0, "layer_norm_eps": 1e-7, "relative_attention": true, "max_relative_positions": -1,
                 "position_buckets": 32, "norm_rel_ebd": "layer_norm", "share_att_key": true,
                 "position_biased_input": false, "pos_att_type": ["p2c", "c2p"], "pooler_hidden_size": 32,
                 "pooler_hidden_act": "gelu", "num_labels": 2})"});
}
