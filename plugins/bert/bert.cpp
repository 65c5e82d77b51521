// BERT, following transformers 4.40.2 src/transformers/models/bert/modeling_bert.py
// (BertModel and its task heads), absolute position embeddings, eager attention.
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct BertConfig {
    int64_t hidden, heads, layers, inter, vocab, type_vocab, max_pos;
    double eps;
    std::string act;
    explicit BertConfig(const Config& c)
        : hidden(c.i("hidden_size")), heads(c.i("num_attention_heads")), layers(c.i("num_hidden_layers")),
          inter(c.i("intermediate_size")), vocab(c.i("vocab_size")), type_vocab(c.i("type_vocab_size", 2)),
          max_pos(c.i("max_position_embeddings")), eps(c.f("layer_norm_eps", 1e-12)), act(c.s("hidden_act", "gelu")) {
        if (c.s("position_embedding_type", "absolute") != "absolute")
            throw Error("config key 'position_embedding_type': only 'absolute' is supported (config.json)");
    }
};

// BertEmbeddings: words + token types + absolute positions, then LayerNorm.
Value embeddings(const Weights& vb, const BertConfig& c, Value ids, Value types) {
    Graph& g = vb.graph();
    auto s = vb.scope();
    Value positions = unsqueeze(range(g.scalar_i64(0), squeeze(dim(ids, 1), {0}), g.scalar_i64(1)), {0});
    Value x = embedding(vb.pp("word_embeddings"), ids, c.vocab, c.hidden) +
              embedding(vb.pp("token_type_embeddings"), types, c.type_vocab, c.hidden) +
              embedding(vb.pp("position_embeddings"), positions, c.max_pos, c.hidden);
    return layer_norm(vb.pp("LayerNorm"), x, {.dim = c.hidden, .eps = c.eps});
}

// BertLayer: self-attention + output LayerNorm, intermediate + output LayerNorm.
Value layer(const Weights& vb, const BertConfig& c, Value x, Value mask_bias) {
    auto s = vb.scope();
    int64_t head_dim = c.hidden / c.heads;
    Weights self = vb.pp("attention.self");
    auto proj = [&](const char* name) {
        return split_heads(linear(self.pp(name), x, {.in = c.hidden, .out = c.hidden}), c.heads, head_dim);
    };
    Value ctx = [&] {
        auto s2 = self.scope();
        return merge_heads(scaled_dot_product(proj("query"), proj("key"), proj("value"),
                                              {.head_dim = head_dim, .bias = mask_bias}));
    }();
    Weights attn_out = vb.pp("attention.output");
    Value h = layer_norm(attn_out.pp("LayerNorm"), linear(attn_out.pp("dense"), ctx, {.in = c.hidden, .out = c.hidden}) + x,
                         {.dim = c.hidden, .eps = c.eps});
    Value up = activation(linear(vb.pp("intermediate.dense"), h, {.in = c.hidden, .out = c.inter}), c.act);
    return layer_norm(vb.pp("output.LayerNorm"), linear(vb.pp("output.dense"), up, {.in = c.inter, .out = c.hidden}) + h,
                      {.dim = c.hidden, .eps = c.eps});
}

Value pooler(const Weights& vb, const BertConfig& c, Value hidden) {
    return tanh(linear(vb.pp("dense"), first_token(hidden), {.in = c.hidden, .out = c.hidden}));
}

void build(Graph& g) {
    BertConfig c(g.config());
    std::string task = g.feature();
    TextEncoderOnnxConfig oc(g, task, {.type_vocab_size = c.type_vocab, .vocab_size = c.vocab});
    oc.atol_for_validation = 1e-4;
    auto in = oc.declare_inputs();
    Value ids = in["input_ids"], mask = in["attention_mask"], types = in["token_type_ids"];
    if (task == "multiple-choice") ids = flatten_choices(ids), mask = flatten_choices(mask), types = flatten_choices(types);

    Weights bert = Weights::base(g, "bert", "embeddings.word_embeddings.weight");
    Value x = embeddings(bert.pp("embeddings"), c, ids, types);
    Value bias = padding_bias(mask);
    for (int64_t i = 0; i < c.layers; ++i) x = layer(bert.pp("encoder.layer", i), c, x, bias);

    if (task == "default") {
        oc.output("last_hidden_state", x);
        oc.output("pooler_output", pooler(bert.pp("pooler"), c, x));
    } else if (task == "masked-lm") {
        Weights head = Weights(g, "cls.predictions");
        Weights t = head.pp("transform");
        Value h = activation(linear(t.pp("dense"), x, {.in = c.hidden, .out = c.hidden}), c.act);
        h = layer_norm(t.pp("LayerNorm"), h, {.dim = c.hidden, .eps = c.eps});
        Value logits = tied_lm_projection(head.pp("decoder"), bert.pp("embeddings.word_embeddings"), h, c.hidden, c.vocab);
        oc.output("logits", logits + head.get("bias", {c.vocab}));
    } else if (task == "sequence-classification" || task == "multiple-choice") {
        int64_t labels = task == "multiple-choice" ? 1 : g.config().num_labels();
        Value logits = linear(Weights(g, "classifier"), pooler(bert.pp("pooler"), c, x), {.in = c.hidden, .out = labels});
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

HFX_PLUGIN("bert", "0.1.0") {
    reg.add({.model_type = "bert",
             .features = {"default", "masked-lm", "sequence-classification", "token-classification",
                          "question-answering", "multiple-choice"},
             .reference = "transformers 4.40.2 models/bert/modeling_bert.py",
             .build = build,
             .tiny_config = R"({"model_type": "bert", "vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "intermediate_size": 37, "hidden_act": "gelu", "max_position_embeddings": 64,
                 "type_vocab_size": 2, "layer_norm_eps": 1e-12, "num_labels": 2})"});
}
