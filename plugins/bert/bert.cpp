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

void build(Graph& g) {
    BertConfig c(g.config());
    std::string task = g.feature();
    TextEncoderOnnxConfig oc(g, task, {.type_vocab_size = c.type_vocab, .vocab_size = c.vocab});
    oc.atol_for_validation = 1e-4;
    auto in = oc.declare_inputs();
    Value ids = in["input_ids"], mask = in["attention_mask"], types = in["token_type_ids"];
    if (task == "multiple-choice") ids = flatten_choices(ids), mask = flatten_choices(mask), types = flatten_choices(types);

    Weights bert = Weights::base(g, "bert", "embeddings.word_embeddings.weight");
    Value x = bert_embeddings(bert.pp("embeddings"), ids,
                              {.dim = c.hidden, .vocab = c.vocab, .type_vocab = c.type_vocab, .max_pos = c.max_pos,
                               .eps = c.eps, .token_type_ids = types});
    Value bias = padding_bias(mask);
    BertLayerOptions lo{.hidden = c.hidden, .heads = c.heads, .inter = c.inter, .eps = c.eps, .act = c.act};
    for (int64_t i = 0; i < c.layers; ++i) x = bert_layer(bert.pp("encoder.layer", i), x, bias, lo);

    if (task == "default") {
        oc.output("last_hidden_state", x);
        oc.output("pooler_output", bert_pooler(bert.pp("pooler"), x, c.hidden));
    } else if (task == "masked-lm") {
        oc.output("logits", bert_lm_head(Weights(g, "cls.predictions"), bert.pp("embeddings.word_embeddings"), x,
                                         {.hidden = c.hidden, .vocab = c.vocab, .eps = c.eps, .act = c.act}));
    } else if (task == "sequence-classification" || task == "multiple-choice") {
        int64_t labels = task == "multiple-choice" ? 1 : g.config().num_labels();
        Value logits = linear(Weights(g, "classifier"), bert_pooler(bert.pp("pooler"), x, c.hidden), {.in = c.hidden, .out = labels});
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
