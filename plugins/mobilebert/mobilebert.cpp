// MobileBERT, following transformers 4.40.2 src/transformers/models/mobilebert/modeling_mobilebert.py
// (MobileBertModel and its task heads): bottlenecked BERT layers of width
// true_hidden_size inside a hidden_size residual stream, stacked FFNs, NoNorm,
// trigram input embeddings.
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct MobileBertConfig {
    int64_t hidden, true_hidden, embed, heads, layers, inter, vocab, type_vocab, max_pos, intra_bottleneck, num_ffn;
    double eps;
    std::string act, norm_type;
    bool trigram, use_bottleneck, bottleneck_attention, kq_shared, classifier_activation;
    explicit MobileBertConfig(const Config& c)
        : hidden(c.i("hidden_size")), true_hidden(c.i("true_hidden_size", 128)), embed(c.i("embedding_size", 128)),
          heads(c.i("num_attention_heads")), layers(c.i("num_hidden_layers")), inter(c.i("intermediate_size")),
          vocab(c.i("vocab_size")), type_vocab(c.i("type_vocab_size", 2)), max_pos(c.i("max_position_embeddings")),
          intra_bottleneck(c.i("intra_bottleneck_size", 128)), num_ffn(c.i("num_feedforward_networks", 4)),
          eps(c.f("layer_norm_eps", 1e-12)), act(c.s("hidden_act", "relu")),
          norm_type(c.s("normalization_type", "no_norm")), trigram(c.b("trigram_input", true)),
          use_bottleneck(c.b("use_bottleneck", true)), bottleneck_attention(c.b("use_bottleneck_attention", false)),
          kq_shared(c.b("key_query_shared_bottleneck", true)),
          classifier_activation(c.b("classifier_activation", true)) {
        // MobileBertConfig: true_hidden_size is intra_bottleneck_size when bottlenecks are used, else hidden_size.
        true_hidden = use_bottleneck ? intra_bottleneck : hidden;
        if (norm_type != "no_norm" && norm_type != "layer_norm")
            throw Error("config key 'normalization_type': expected 'no_norm' or 'layer_norm', got '" + norm_type + "'");
    }
};

// NORM2FN[normalization_type]: NoNorm is the elementwise x * weight + bias.
// Some modules build their LayerNorm without eps (torch's default 1e-5).
Value norm(const Weights& vb, const MobileBertConfig& c, Value x, int64_t dim, double eps) {
    if (c.norm_type == "layer_norm") return layer_norm(vb, x, {.dim = dim, .eps = eps});
    auto s = vb.scope();
    return x * vb.get("weight", {dim}) + vb.get("bias", {dim});
}

// MobileBertEmbeddings: (trigram) word embeddings -> embedding_transformation, + positions + token types, norm.
Value embeddings(const Weights& vb, const MobileBertConfig& c, Value ids, Value types) {
    Graph& g = vb.graph();
    auto s = vb.scope();
    Value x = embedding(vb.pp("word_embeddings"), ids, c.vocab, c.embed);  // [b, s, embed]
    if (c.trigram) {
        // cat([next token (0 after the end), token, previous token (0 before the start)], -1)
        Value next = g.node("Pad", {slice(x, 1, 1, INT64_MAX), g.constant_i64({0, 0, 0, 0, 1, 0})});
        Value prev = g.node("Pad", {slice(x, 1, 0, -1), g.constant_i64({0, 1, 0, 0, 0, 0})});
        x = concat({next, x, prev}, 2);
    }
    int64_t in = c.trigram ? 3 * c.embed : c.embed;
    if (c.trigram || c.embed != c.hidden) x = linear(vb.pp("embedding_transformation"), x, {.in = in, .out = c.hidden});
    Value positions = unsqueeze(range(g.scalar_i64(0), squeeze(dim(ids, 1), {0}), g.scalar_i64(1)), {0});
    x = x + embedding(vb.pp("position_embeddings"), positions, c.max_pos, c.hidden) +
        embedding(vb.pp("token_type_embeddings"), types, c.type_vocab, c.hidden);
    return norm(vb.pp("LayerNorm"), c, x, c.hidden, 1e-5);
}

// BottleneckLayer: hidden -> intra_bottleneck, norm.
Value bottleneck_layer(const Weights& vb, const MobileBertConfig& c, Value x) {
    auto s = vb.scope();
    return norm(vb.pp("LayerNorm"), c, linear(vb.pp("dense"), x, {.in = c.hidden, .out = c.intra_bottleneck}),
                c.intra_bottleneck, c.eps);
}

// dense + norm(y + residual), as FFNOutput / MobileBertSelfOutput / OutputBottleneck.
Value dense_norm(const Weights& vb, const MobileBertConfig& c, Value x, Value residual, int64_t in, int64_t out,
                 double eps) {
    auto s = vb.scope();
    return norm(vb.pp("LayerNorm"), c, linear(vb.pp("dense"), x, {.in = in, .out = out}) + residual, out, eps);
}

Value intermediate(const Weights& vb, const MobileBertConfig& c, Value x) {
    return activation(linear(vb.pp("dense"), x, {.in = c.true_hidden, .out = c.inter}), c.act);
}

// MobileBertLayer. x: [b, s, hidden] -> [b, s, hidden]
Value layer(const Weights& vb, const MobileBertConfig& c, Value x, Value mask_bias) {
    auto s = vb.scope();
    // Bottleneck: query, key, value tensors and the attention residual (layer_input).
    Value q_in = x, k_in = x, v_in = x, layer_input = x;
    if (c.use_bottleneck) {
        Weights b = vb.pp("bottleneck");
        layer_input = bottleneck_layer(b.pp("input"), c, x);
        if (c.bottleneck_attention) q_in = k_in = v_in = layer_input;
        else if (c.kq_shared) q_in = k_in = bottleneck_layer(b.pp("attention"), c, x);
    }
    int64_t head_dim = c.true_hidden / c.heads;
    int64_t v_width = c.bottleneck_attention ? c.true_hidden : c.hidden;
    Weights self = vb.pp("attention.self");
    auto proj = [&](const char* name, Value in, int64_t width) {
        return split_heads(linear(self.pp(name), in, {.in = width, .out = c.true_hidden}), c.heads, head_dim);
    };
    Value ctx = [&] {
        Value q = proj("query", q_in, c.true_hidden), k = proj("key", k_in, c.true_hidden),
              v = proj("value", v_in, v_width);
        auto s2 = self.scope();
        return merge_heads(scaled_dot_product(q, k, v, {.head_dim = head_dim, .bias = mask_bias}));
    }();
    Value h = dense_norm(vb.pp("attention.output"), c, ctx, layer_input, c.true_hidden, c.true_hidden, c.eps);
    for (int64_t i = 0; i + 1 < c.num_ffn; ++i) {
        Weights ffn = vb.pp("ffn", i);
        h = dense_norm(ffn.pp("output"), c, intermediate(ffn.pp("intermediate"), c, h), h, c.inter, c.true_hidden,
                       c.eps);
    }
    // MobileBertOutput: its LayerNorm has torch's default eps; then OutputBottleneck back to hidden.
    Weights out = vb.pp("output");
    Value y = dense_norm(out, c, intermediate(vb.pp("intermediate"), c, h), h, c.inter, c.true_hidden, 1e-5);
    if (!c.use_bottleneck) return y;
    return dense_norm(out.pp("bottleneck"), c, y, x, c.true_hidden, c.hidden, c.eps);
}

Value pooler(const Weights& vb, const MobileBertConfig& c, Value hidden) {
    Value first = first_token(hidden);
    if (!c.classifier_activation) return first;
    return tanh(linear(vb.pp("dense"), first, {.in = c.hidden, .out = c.hidden}));
}

// MobileBertLMPredictionHead: transform (always a real LayerNorm), then x @ cat([decoder.weight^T, dense.weight]).
Value lm_head(const Weights& head, const Weights& base, const MobileBertConfig& c, Value x) {
    Weights t = head.pp("transform");
    Value h = activation(linear(t.pp("dense"), x, {.in = c.hidden, .out = c.hidden}), c.act);
    h = layer_norm(t.pp("LayerNorm"), h, {.dim = c.hidden, .eps = c.eps});
    auto s = head.scope();
    Weights decoder = head.pp("decoder");
    Value w = decoder.has("weight") ? decoder.get("weight", {c.vocab, c.embed})
                                    : base.pp("embeddings.word_embeddings").get("weight", {c.vocab, c.embed});
    Value proj = concat({transpose(w, {1, 0}), head.get("dense.weight", {c.hidden - c.embed, c.vocab})}, 0);
    return matmul(h, proj) + head.get("bias", {c.vocab});
}

void build(Graph& g) {
    MobileBertConfig c(g.config());
    TextEncoderOnnxConfig oc(g, g.feature(), {.type_vocab_size = c.type_vocab, .vocab_size = c.vocab});
    TextInputs t = text_inputs(oc);  // multiple-choice: [b*choices, s]

    Weights mb = Weights::base(g, "mobilebert", "embeddings.word_embeddings.weight");
    Value x = embeddings(mb.pp("embeddings"), c, t.ids, *t.token_type_ids);
    Value bias = padding_bias(t.mask);
    for (int64_t i = 0; i < c.layers; ++i) x = layer(mb.pp("encoder.layer", i), c, x, bias);

    // The classifiers read the pooler output (first token, tanh dense when classifier_activation).
    encoder_task_outputs(oc, x, t.input_ids,
                         {.hidden = c.hidden,
                          .pooler_output = [&](Value h) { return pooler(mb.pp("pooler"), c, h); },
                          .masked_lm = [&](Value h) { return lm_head(Weights(g, "cls.predictions"), mb, c, h); }});
}

}  // namespace

HFX_PLUGIN("mobilebert", "0.1.0") {
    reg.add(
        {.model_type = "mobilebert",
         .features = kTextEncoderFeatures,
         .reference = "transformers 4.40.2 models/mobilebert/modeling_mobilebert.py",
         .build = build,
         .tiny_config =
             R"({"model_type": "mobilebert", "vocab_size": 99, "pad_token_id": 0, "embedding_size": 16, "hidden_size": 32,
                 "true_hidden_size": 16, "intra_bottleneck_size": 16, "num_hidden_layers": 2, "num_attention_heads": 4,
                 "intermediate_size": 37, "hidden_act": "relu", "max_position_embeddings": 64, "type_vocab_size": 2,
                 "layer_norm_eps": 1e-12, "num_feedforward_networks": 2, "normalization_type": "no_norm",
                 "trigram_input": true, "use_bottleneck": true, "key_query_shared_bottleneck": true,
                 "use_bottleneck_attention": false, "classifier_activation": true, "num_labels": 2})"});
}
