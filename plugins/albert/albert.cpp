// ALBERT, following transformers 4.40.2
// src/transformers/models/albert/modeling_albert.py (AlbertModel and its task heads).
// Factorized embeddings (embedding_size) mapped in by embedding_hidden_mapping_in;
// num_hidden_layers layer applications share num_hidden_groups groups of
// inner_group_num layers. Eager attention, absolute positions.
#include <hfx/hfx.h>

using namespace hfx;

namespace {

// AlbertConfig: BERT's keys plus the factorized embeddings and the layer groups.
struct AlbertConfig : BertLikeConfig {
    int64_t emb, groups, inner;
    explicit AlbertConfig(const Config& c)
        : BertLikeConfig(c, {.act = "gelu_new"}), emb(c.i("embedding_size", 128)), groups(c.i("num_hidden_groups", 1)),
          inner(c.i("inner_group_num", 1)) {
        if (groups < 1 || layers % groups != 0)
            throw Error("config key 'num_hidden_groups': must divide num_hidden_layers (config.json)");
    }
};

// AlbertLayer: AlbertAttention (query/key/value, dense, LayerNorm on the residual),
// then ffn, activation, ffn_output and full_layer_layer_norm. x [b, s, hidden]
Value albert_layer(const Weights& vb, const AlbertConfig& c, Value x, Value mask_bias) {
    auto s = vb.scope();
    Weights attn = vb.pp("attention");
    Value h = [&] {
        auto s2 = attn.scope();
        Value ctx = bert_self_attention(attn, x, mask_bias, c.layer_options());
        Value projected = linear(attn.pp("dense"), ctx, {.in = c.hidden, .out = c.hidden});
        return layer_norm(attn.pp("LayerNorm"), x + projected, {.dim = c.hidden, .eps = c.eps});
    }();
    Value ffn = activation(linear(vb.pp("ffn"), h, {.in = c.hidden, .out = c.inter}), c.act);
    ffn = linear(vb.pp("ffn_output"), ffn, {.in = c.inter, .out = c.hidden});
    return layer_norm(vb.pp("full_layer_layer_norm"), ffn + h, {.dim = c.hidden, .eps = c.eps});
}

// AlbertTransformer: map embeddings in, then layer i runs group int(i / (layers / groups)).
Value transformer(const Weights& vb, const AlbertConfig& c, Value x, Value mask_bias) {
    x = linear(vb.pp("embedding_hidden_mapping_in"), x, {.in = c.emb, .out = c.hidden});
    for (int64_t i = 0; i < c.layers; ++i) {
        Weights group = vb.pp("albert_layer_groups", i / (c.layers / c.groups));
        for (int64_t j = 0; j < c.inner; ++j) x = albert_layer(group.pp("albert_layers", j), c, x, mask_bias);
    }
    return x;
}

// AlbertModel's pooler: tanh(pooler(hidden[:, 0])), a bare Linear named "pooler".
Value pooler(const Weights& base, const AlbertConfig& c, Value x) {
    return tanh(linear(base.pp("pooler"), first_token(x), {.in = c.hidden, .out = c.hidden}));
}

void build(Graph& g) {
    AlbertConfig c(g.config());
    TextEncoderOnnxConfig oc(g, g.feature(), c.onnx_options());
    oc.atol_for_validation = 1e-4;
    TextInputs t = text_inputs(oc);  // multiple-choice: [b*choices, s]

    Weights albert = Weights::base(g, "albert", "embeddings.word_embeddings.weight");
    Value x = bert_embeddings(albert.pp("embeddings"), t.ids, c.embeddings_options(c.emb, t.token_type_ids));
    x = transformer(albert.pp("encoder"), c, x, padding_bias(t.mask));

    encoder_task_outputs(oc, x, t.input_ids,
                         {.hidden = c.hidden,
                          .pooler_output = [&](Value h) { return pooler(albert, c, h); },
                          .masked_lm =
                              [&](Value h) {
                                  // AlbertMLMHead: dense to embedding_size, hidden_act, LayerNorm, decoder (tied) + bias.
                                  Weights pred(g, "predictions");
                                  auto s = pred.scope();
                                  h = activation(linear(pred.pp("dense"), h, {.in = c.hidden, .out = c.emb}), c.act);
                                  h = layer_norm(pred.pp("LayerNorm"), h, {.dim = c.emb, .eps = c.eps});
                                  Value logits = tied_lm_projection(
                                      pred.pp("decoder"), albert.pp("embeddings.word_embeddings"), h, c.emb, c.vocab);
                                  return logits + pred.get("bias", {c.vocab});
                              }});
}

}  // namespace

HFX_PLUGIN("albert", "0.1.0") {
    reg.add({.model_type = "albert",
             .features = kTextEncoderFeatures,
             .reference = "transformers 4.40.2 models/albert/modeling_albert.py",
             .build = build,
             .tiny_config = R"({"model_type": "albert", "vocab_size": 99, "embedding_size": 16, "hidden_size": 32,
                 "num_hidden_layers": 4, "num_hidden_groups": 2, "inner_group_num": 2, "num_attention_heads": 4,
                 "intermediate_size": 37, "hidden_act": "gelu_new", "max_position_embeddings": 64,
                 "type_vocab_size": 2, "layer_norm_eps": 1e-12, "num_labels": 2})"});
}
