// RoFormer, following transformers 4.40.2 src/transformers/models/roformer/modeling_roformer.py
// (RoFormerModel and its task heads): BERT with rotary position embeddings
// (interleaved pairs) on the queries and keys (and values when rotary_value).
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct RoFormerConfig {
    int64_t hidden, embed, heads, layers, inter, vocab, type_vocab, max_pos;
    double eps;
    std::string act;
    bool rotary_value;
    explicit RoFormerConfig(const Config& c)
        : hidden(c.i("hidden_size")), embed(c.i("embedding_size", hidden)), heads(c.i("num_attention_heads")),
          layers(c.i("num_hidden_layers")), inter(c.i("intermediate_size")), vocab(c.i("vocab_size")),
          type_vocab(c.i("type_vocab_size", 2)), max_pos(c.i("max_position_embeddings")),
          eps(c.f("layer_norm_eps", 1e-12)), act(c.s("hidden_act", "gelu")), rotary_value(c.b("rotary_value", false)) {
        if ((hidden / heads) % 2) throw Error("config key 'num_attention_heads': rotary needs an even head size");
    }
    int64_t head_dim() const { return hidden / heads; }
    BertLayerOptions layer_options() const {
        return {.hidden = hidden, .heads = heads, .inter = inter, .eps = eps, .act = act};
    }
};

// RoFormerEmbeddings: words + token types, LayerNorm (no absolute positions).
Value embeddings(const Weights& vb, const RoFormerConfig& c, Value ids, Value types) {
    auto s = vb.scope();
    Value x = embedding(vb.pp("word_embeddings"), ids, c.vocab, c.embed) +
              embedding(vb.pp("token_type_embeddings"), types, c.type_vocab, c.embed);
    return layer_norm(vb.pp("LayerNorm"), x, {.dim = c.embed, .eps = c.eps});
}

// RoFormerSinusoidalPositionalEmbedding: the stored table [max_pos, head_dim]
// holds sin in its first half and cos in its second, rows 0..seq-1 in use.
RotaryTables sinusoidal_pos(const Weights& vb, const RoFormerConfig& c, Value x) {
    Graph& g = vb.graph();
    auto s = vb.scope();
    Value positions = range(g.scalar_i64(0), squeeze(dim(x, 1), {0}), g.scalar_i64(1));
    Value table = unsqueeze(embedding(vb, positions, c.max_pos, c.head_dim()), {0, 1});  // [1, 1, seq, head_dim]
    auto sin_cos = split(table, -1, {c.head_dim() / 2, c.head_dim() / 2});
    return {.cos = sin_cos[1], .sin = sin_cos[0]};
}

// RoFormerLayer: rotary self-attention, then BERT's output, intermediate and output.
Value layer(const Weights& vb, const RoFormerConfig& c, Value x, Value mask_bias, const RotaryTables& pos) {
    auto s = vb.scope();
    int64_t hd = c.head_dim();
    RotaryOptions rope{.head_dim = hd, .style = RotaryStyle::interleaved};
    Weights self = vb.pp("attention.self");
    auto proj = [&](const char* name) {
        return split_heads(linear(self.pp(name), x, {.in = c.hidden, .out = c.hidden}), c.heads, hd);
    };
    Value ctx = [&] {
        Value q = proj("query"), k = proj("key"), v = proj("value");
        auto s2 = self.scope();
        q = apply_rotary(q, pos, rope);
        k = apply_rotary(k, pos, rope);
        if (c.rotary_value) v = apply_rotary(v, pos, rope);
        return merge_heads(scaled_dot_product(q, k, v, {.head_dim = hd, .bias = mask_bias}));
    }();
    return bert_layer_output(vb, ctx, x, c.layer_options());
}

void build(Graph& g) {
    RoFormerConfig c(g.config());
    TextEncoderOnnxConfig oc(g, g.feature(), {.type_vocab_size = c.type_vocab, .vocab_size = c.vocab});
    TextInputs t = text_inputs(oc);  // multiple-choice: [b*choices, s]

    Weights rf = Weights::base(g, "roformer", "embeddings.word_embeddings.weight");
    Value x = embeddings(rf.pp("embeddings"), c, t.ids, *t.token_type_ids);
    if (c.embed != c.hidden) x = linear(rf.pp("embeddings_project"), x, {.in = c.embed, .out = c.hidden});
    RotaryTables pos = sinusoidal_pos(rf.pp("encoder.embed_positions"), c, x);
    Value bias = padding_bias(t.mask);
    for (int64_t i = 0; i < c.layers; ++i) x = layer(rf.pp("encoder.layer", i), c, x, bias, pos);

    // RoFormerModel has no pooler; ELECTRA's classifiers (with hidden_act), BERT's LM head
    // with its transform to embedding_size.
    EncoderHeadOptions heads = electra_style_heads(g, c.hidden, c.act);
    heads.masked_lm = [&](Value h) {
        return bert_lm_head(Weights(g, "cls.predictions"), rf.pp("embeddings.word_embeddings"), h,
                            {.hidden = c.hidden, .vocab = c.vocab, .eps = c.eps, .act = c.act, .embed = c.embed});
    };
    encoder_task_outputs(oc, x, t.input_ids, heads);
}

}  // namespace

HFX_PLUGIN("roformer", "0.1.0") {
    reg.add({.model_type = "roformer",
             .features = kTextEncoderFeatures,
             .reference = "transformers 4.40.2 models/roformer/modeling_roformer.py",
             .build = build,
             .tiny_config = R"({"model_type": "roformer", "vocab_size": 99, "embedding_size": 32, "hidden_size": 32,
                 "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 37, "hidden_act": "gelu",
                 "max_position_embeddings": 64, "type_vocab_size": 2, "layer_norm_eps": 1e-12, "rotary_value": false,
                 "num_labels": 2})"});
}
