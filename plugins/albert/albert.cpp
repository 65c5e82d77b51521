// ALBERT, following transformers 4.40.2
// src/transformers/models/albert/modeling_albert.py (AlbertModel and its task heads).
// Factorized embeddings (embedding_size) mapped in by embedding_hidden_mapping_in;
// num_hidden_layers layer applications share num_hidden_groups groups of
// inner_group_num layers. Eager attention, absolute positions.
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct AlbertConfig {
    int64_t hidden, emb, heads, layers, groups, inner, inter, vocab, type_vocab, max_pos;
    double eps;
    std::string act;
    explicit AlbertConfig(const Config& c)
        : hidden(c.i("hidden_size")), emb(c.i("embedding_size", 128)), heads(c.i("num_attention_heads")),
          layers(c.i("num_hidden_layers")), groups(c.i("num_hidden_groups", 1)), inner(c.i("inner_group_num", 1)),
          inter(c.i("intermediate_size")), vocab(c.i("vocab_size")), type_vocab(c.i("type_vocab_size", 2)),
          max_pos(c.i("max_position_embeddings")), eps(c.f("layer_norm_eps", 1e-12)), act(c.s("hidden_act", "gelu_new")) {
        if (c.s("position_embedding_type", "absolute") != "absolute")
            throw Error("config key 'position_embedding_type': only 'absolute' is supported (config.json)");
        if (groups < 1 || layers % groups != 0)
            throw Error("config key 'num_hidden_groups': must divide num_hidden_layers (config.json)");
    }
};

// AlbertLayer: AlbertAttention (query/key/value, dense, LayerNorm on the residual),
// then ffn, activation, ffn_output and full_layer_layer_norm. x [b, s, hidden]
Value albert_layer(const Weights& vb, const AlbertConfig& c, Value x, Value mask_bias) {
    auto s = vb.scope();
    BertLayerOptions o{.hidden = c.hidden, .heads = c.heads, .inter = c.inter, .eps = c.eps, .act = c.act};
    Weights attn = vb.pp("attention");
    Value h = [&] {
        auto s2 = attn.scope();
        Value ctx = bert_self_attention(attn, x, mask_bias, o);
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
    std::string task = g.feature();
    TextEncoderOnnxConfig oc(g, task, {.type_vocab_size = c.type_vocab, .vocab_size = c.vocab});
    oc.atol_for_validation = 1e-4;
    auto in = oc.declare_inputs();
    Value ids = in["input_ids"], mask = in["attention_mask"], types = in["token_type_ids"];
    if (task == "multiple-choice") ids = flatten_choices(ids), mask = flatten_choices(mask), types = flatten_choices(types);

    Weights albert = Weights::base(g, "albert", "embeddings.word_embeddings.weight");
    Value x = bert_embeddings(albert.pp("embeddings"), ids,
                              {.dim = c.emb, .vocab = c.vocab, .type_vocab = c.type_vocab, .max_pos = c.max_pos,
                               .eps = c.eps, .token_type_ids = types});
    x = transformer(albert.pp("encoder"), c, x, padding_bias(mask));

    if (task == "default") {
        oc.output("last_hidden_state", x);
        oc.output("pooler_output", pooler(albert, c, x));
    } else if (task == "masked-lm") {
        // AlbertMLMHead: dense to embedding_size, hidden_act, LayerNorm, decoder (tied) + bias.
        Weights pred(g, "predictions");
        auto s = pred.scope();
        Value h = activation(linear(pred.pp("dense"), x, {.in = c.hidden, .out = c.emb}), c.act);
        h = layer_norm(pred.pp("LayerNorm"), h, {.dim = c.emb, .eps = c.eps});
        Value logits = tied_lm_projection(pred.pp("decoder"), albert.pp("embeddings.word_embeddings"), h, c.emb, c.vocab);
        oc.output("logits", logits + pred.get("bias", {c.vocab}));
    } else if (task == "sequence-classification" || task == "multiple-choice") {
        int64_t labels = task == "multiple-choice" ? 1 : g.config().num_labels();
        Value logits = linear(Weights(g, "classifier"), pooler(albert, c, x), {.in = c.hidden, .out = labels});
        oc.output("logits", task == "multiple-choice" ? unflatten_choices(logits, in["input_ids"]) : logits);
    } else if (task == "token-classification") {
        oc.output("logits", linear(Weights(g, "classifier"), x, {.in = c.hidden, .out = g.config().num_labels()}));
    } else if (task == "question-answering") {
        auto [start, end] = qa_head(Weights(g, "qa_outputs"), x, c.hidden);
        oc.output("start_logits", start);
        oc.output("end_logits", end);
    }
}

}  // namespace

HFX_PLUGIN("albert", "0.1.0") {
    reg.add({.model_type = "albert",
             .features = {"default", "masked-lm", "sequence-classification", "token-classification",
                          "question-answering", "multiple-choice"},
             .reference = "transformers 4.40.2 models/albert/modeling_albert.py",
             .build = build,
             .tiny_config = R"({"model_type": "albert", "vocab_size": 99, "embedding_size": 16, "hidden_size": 32,
                 "num_hidden_layers": 4, "num_hidden_groups": 2, "inner_group_num": 2, "num_attention_heads": 4,
                 "intermediate_size": 37, "hidden_act": "gelu_new", "max_position_embeddings": 64,
                 "type_vocab_size": 2, "layer_norm_eps": 1e-12, "num_labels": 2})"});
}
