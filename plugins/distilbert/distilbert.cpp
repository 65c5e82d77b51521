// DistilBERT, following transformers 4.40.2
// src/transformers/models/distilbert/modeling_distilbert.py (DistilBertModel and its
// task heads). No token types; sinusoidal position tables (sinusoidal_pos_embds)
// are stored in the checkpoint as position_embeddings.weight, so both kinds read the same.
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct DistilBertConfig {
    int64_t dim, heads, layers, hidden_dim, vocab, max_pos;
    std::string act;
    explicit DistilBertConfig(const Config& c)
        : dim(c.i("dim")), heads(c.i("n_heads")), layers(c.i("n_layers")), hidden_dim(c.i("hidden_dim")),
          vocab(c.i("vocab_size")), max_pos(c.i("max_position_embeddings")), act(c.s("activation", "gelu")) {
        // Only _init_weights reads it: a sinusoidal table is stored as position_embeddings.weight.
        (void)c.has("sinusoidal_pos_embds");
    }
};
constexpr double kEps = 1e-12;  // every DistilBERT LayerNorm

// Embeddings: word + position (0..seq-1), LayerNorm. ids [b, s] -> [b, s, dim]
Value embeddings(const Weights& vb, const DistilBertConfig& c, Value ids) {
    auto s = vb.scope();
    Value x = embedding(vb.pp("word_embeddings"), ids, c.vocab, c.dim) +
              embedding(vb.pp("position_embeddings"), arange_positions(ids), c.max_pos, c.dim);
    return layer_norm(vb.pp("LayerNorm"), x, {.dim = c.dim, .eps = kEps});
}

// MultiHeadSelfAttention: q is divided by sqrt(dim_per_head) before q k^T, and
// masked scores are filled (masked_fill) with finfo(float32).min. keep: [b, 1, 1, s] bool
Value attention(const Weights& vb, const DistilBertConfig& c, Value x, Value keep) {
    Graph& g = vb.graph();
    int64_t head_dim = c.dim / c.heads;
    auto proj = [&](const char* name) {
        return split_heads(linear(vb.pp(name), x, {.in = c.dim, .out = c.dim}), c.heads, head_dim);
    };
    Value q = proj("q_lin"), k = proj("k_lin"), v = proj("v_lin");
    Value ctx = [&] {
        auto s = vb.scope();
        q = q / float(std::sqrt(double(head_dim)));
        Value scores = where(keep, matmul(q, transpose(k, {0, 1, 3, 2})), g.scalar(kMaskValue));
        return merge_heads(matmul(softmax(scores, -1), v));
    }();
    return linear(vb.pp("out_lin"), ctx, {.in = c.dim, .out = c.dim});
}

// TransformerBlock: post-LN attention and FFN (lin1, activation, lin2).
Value block(const Weights& vb, const DistilBertConfig& c, Value x, Value keep) {
    auto s = vb.scope();
    Value sa =
        layer_norm(vb.pp("sa_layer_norm"), attention(vb.pp("attention"), c, x, keep) + x, {.dim = c.dim, .eps = kEps});
    Value ffn = activation(linear(vb.pp("ffn.lin1"), sa, {.in = c.dim, .out = c.hidden_dim}), c.act);
    ffn = linear(vb.pp("ffn.lin2"), ffn, {.in = c.hidden_dim, .out = c.dim});
    return layer_norm(vb.pp("output_layer_norm"), ffn + sa, {.dim = c.dim, .eps = kEps});
}

// Sequence classification / multiple choice: classifier(relu(pre_classifier(hidden[:, 0]))).
Value classify(Graph& g, const DistilBertConfig& c, Value x, int64_t labels) {
    Value pooled = relu(linear(Weights(g, "pre_classifier"), first_token(x), {.in = c.dim, .out = c.dim}));
    return linear(Weights(g, "classifier"), pooled, {.in = c.dim, .out = labels});
}

void build(Graph& g) {
    DistilBertConfig c(g.config());
    std::string task = g.feature();
    TextEncoderOnnxConfig oc(g, task, {.token_type_ids = false, .vocab_size = c.vocab});
    oc.atol_for_validation = 1e-4;
    auto in = oc.declare_inputs();
    Value ids = in["input_ids"], mask = in["attention_mask"];
    if (task == "multiple-choice") ids = flatten_choices(ids), mask = flatten_choices(mask);

    Weights base = Weights::base(g, "distilbert", "embeddings.word_embeddings.weight");
    Value x = embeddings(base.pp("embeddings"), c, ids);
    Value keep = unsqueeze(logical_not(equal(mask, g.scalar_i64(0))), {1, 2});  // [b, 1, 1, s]
    for (int64_t i = 0; i < c.layers; ++i) x = block(base.pp("transformer.layer", i), c, x, keep);

    if (task == "default") {
        oc.output("last_hidden_state", x);  // DistilBertModel has no pooler
    } else if (task == "masked-lm") {
        Value h = activation(linear(Weights(g, "vocab_transform"), x, {.in = c.dim, .out = c.dim}), c.act);
        h = layer_norm(Weights(g, "vocab_layer_norm"), h, {.dim = c.dim, .eps = kEps});
        Weights projector(g, "vocab_projector");
        Value logits = tied_lm_projection(projector, base.pp("embeddings.word_embeddings"), h, c.dim, c.vocab);
        oc.output("logits", logits + projector.get("bias", {c.vocab}));
    } else if (task == "sequence-classification") {
        oc.output("logits", classify(g, c, x, g.config().num_labels()));
    } else if (task == "multiple-choice") {
        oc.output("logits", unflatten_choices(classify(g, c, x, 1), in["input_ids"]));
    } else if (task == "token-classification") {
        oc.output("logits", linear(Weights(g, "classifier"), x, {.in = c.dim, .out = g.config().num_labels()}));
    } else if (task == "question-answering") {
        auto [start, end] = qa_head(Weights(g, "qa_outputs"), x, c.dim);
        oc.output("start_logits", start);
        oc.output("end_logits", end);
    }
}

}  // namespace

HFX_PLUGIN("distilbert", "0.1.0") {
    reg.add({.model_type = "distilbert",
             .features = kTextEncoderFeatures,
             .reference = "transformers 4.40.2 models/distilbert/modeling_distilbert.py",
             .build = build,
             .tiny_config = R"({"model_type": "distilbert", "vocab_size": 99, "dim": 32, "n_layers": 2, "n_heads": 4,
                 "hidden_dim": 37, "activation": "gelu", "max_position_embeddings": 64, "pad_token_id": 0,
                 "sinusoidal_pos_embds": false, "num_labels": 2})"});
}
