// ELECTRA, following transformers 4.40.2
// src/transformers/models/electra/modeling_electra.py (ElectraModel and its task
// heads). Embeddings of embedding_size projected to hidden_size by embeddings_project;
// the layers are BERT's (blocks/bert_like.h); eager attention, absolute positions.
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct ElectraConfig {
    int64_t hidden, emb, heads, layers, inter, vocab, type_vocab, max_pos;
    double eps;
    std::string act;
    explicit ElectraConfig(const Config& c)
        : hidden(c.i("hidden_size")), emb(c.i("embedding_size", 128)), heads(c.i("num_attention_heads")),
          layers(c.i("num_hidden_layers")), inter(c.i("intermediate_size")), vocab(c.i("vocab_size")),
          type_vocab(c.i("type_vocab_size", 2)), max_pos(c.i("max_position_embeddings")),
          eps(c.f("layer_norm_eps", 1e-12)), act(c.s("hidden_act", "gelu")) {
        if (c.s("position_embedding_type", "absolute") != "absolute")
            throw Error("config key 'position_embedding_type': only 'absolute' is supported (config.json)");
    }
};

void build(Graph& g) {
    ElectraConfig c(g.config());
    std::string task = g.feature();
    TextEncoderOnnxConfig oc(g, task, {.type_vocab_size = c.type_vocab, .vocab_size = c.vocab});
    oc.atol_for_validation = 1e-4;
    auto in = oc.declare_inputs();
    Value ids = in["input_ids"], mask = in["attention_mask"], types = in["token_type_ids"];
    if (task == "multiple-choice") ids = flatten_choices(ids), mask = flatten_choices(mask), types = flatten_choices(types);

    // ElectraModel: embeddings [b, s, emb] -> embeddings_project (when emb != hidden) -> encoder.
    Weights electra = Weights::base(g, "electra", "embeddings.word_embeddings.weight");
    Value x = bert_embeddings(electra.pp("embeddings"), ids,
                              {.dim = c.emb, .vocab = c.vocab, .type_vocab = c.type_vocab, .max_pos = c.max_pos,
                               .eps = c.eps, .token_type_ids = types});
    if (c.emb != c.hidden) x = linear(electra.pp("embeddings_project"), x, {.in = c.emb, .out = c.hidden});
    Value bias = padding_bias(mask);
    BertLayerOptions lo{.hidden = c.hidden, .heads = c.heads, .inter = c.inter, .eps = c.eps, .act = c.act};
    for (int64_t i = 0; i < c.layers; ++i) x = bert_layer(electra.pp("encoder.layer", i), x, bias, lo);

    if (task == "default") {
        oc.output("last_hidden_state", x);  // ElectraModel has no pooler
    } else if (task == "masked-lm") {
        // ElectraGeneratorPredictions (dense to embedding_size, gelu, LayerNorm), then generator_lm_head
        // tied to the word embeddings.
        Weights pred(g, "generator_predictions");
        Value h = [&] {
            auto s = pred.scope();
            Value d = activation(linear(pred.pp("dense"), x, {.in = c.hidden, .out = c.emb}), "gelu");
            return layer_norm(pred.pp("LayerNorm"), d, {.dim = c.emb, .eps = c.eps});
        }();
        Weights head(g, "generator_lm_head");
        Value logits = tied_lm_projection(head, electra.pp("embeddings.word_embeddings"), h, c.emb, c.vocab);
        oc.output("logits", logits + head.get("bias", {c.vocab}));
    } else if (task == "sequence-classification") {
        // ElectraClassificationHead: gelu where BERT uses tanh.
        oc.output("logits", classification_head(Weights(g, "classifier"), x,
                                                {.hidden = c.hidden, .labels = g.config().num_labels(), .act = "gelu"}));
    } else if (task == "multiple-choice") {
        Value pooled = sequence_summary(Weights(g, "sequence_summary"), x,
                                        SequenceSummaryOptions::from(g.config(), c.hidden));
        Value logits = linear(Weights(g, "classifier"), pooled, {.in = c.hidden, .out = 1});
        oc.output("logits", unflatten_choices(logits, in["input_ids"]));
    } else if (task == "token-classification") {
        oc.output("logits", linear(Weights(g, "classifier"), x, {.in = c.hidden, .out = g.config().num_labels()}));
    } else if (task == "question-answering") {
        auto [start, end] = qa_head(Weights(g, "qa_outputs"), x, c.hidden);
        oc.output("start_logits", start);
        oc.output("end_logits", end);
    }
}

}  // namespace

HFX_PLUGIN("electra", "0.1.0") {
    reg.add({.model_type = "electra",
             .features = {"default", "masked-lm", "sequence-classification", "token-classification",
                          "question-answering", "multiple-choice"},
             .reference = "transformers 4.40.2 models/electra/modeling_electra.py",
             .build = build,
             .tiny_config = R"({"model_type": "electra", "vocab_size": 99, "embedding_size": 16, "hidden_size": 32,
                 "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 37, "hidden_act": "gelu",
                 "max_position_embeddings": 64, "type_vocab_size": 2, "layer_norm_eps": 1e-12,
                 "summary_type": "first", "summary_use_proj": true, "summary_activation": "gelu", "num_labels": 2})"});
}
