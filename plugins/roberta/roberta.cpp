// RoBERTa and its copies, following transformers 4.40.2
// src/transformers/models/roberta/modeling_roberta.py (RobertaModel and its task
// heads). CamemBERT, XLM-RoBERTa and Data2VecText are "Copied from" RoBERTa and
// differ only in the base model's prefix. Eager attention, absolute positions.
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct RobertaConfig {
    int64_t hidden, heads, layers, inter, vocab, type_vocab, max_pos, pad;
    double eps;
    std::string act;
    explicit RobertaConfig(const Config& c)
        : hidden(c.i("hidden_size")), heads(c.i("num_attention_heads")), layers(c.i("num_hidden_layers")),
          inter(c.i("intermediate_size")), vocab(c.i("vocab_size")), type_vocab(c.i("type_vocab_size", 2)),
          max_pos(c.i("max_position_embeddings")), pad(c.i("pad_token_id", 1)), eps(c.f("layer_norm_eps", 1e-12)),
          act(c.s("hidden_act", "gelu")) {
        if (c.s("position_embedding_type", "absolute") != "absolute")
            throw Error("config key 'position_embedding_type': only 'absolute' is supported (config.json)");
    }
};

// The base model's attribute name in the task models (RobertaForMaskedLM.roberta, ...).
std::string base_prefix(const std::string& model_type) {
    return model_type == "data2vec-text" ? "data2vec_text" : "roberta";
}

void build(Graph& g) {
    RobertaConfig c(g.config());
    // optimum's RobertaOnnxConfig: input_ids and attention_mask only (token types are the zeros buffer).
    TextEncoderOnnxConfig oc(g, g.feature(), {.token_type_ids = false, .vocab_size = c.vocab});
    oc.atol_for_validation = 1e-4;
    auto in = oc.declare_inputs();
    Value ids = in["input_ids"], mask = in["attention_mask"];
    if (oc.task() == "multiple-choice") ids = flatten_choices(ids), mask = flatten_choices(mask);

    Weights base = Weights::base(g, base_prefix(g.model_type()), "embeddings.word_embeddings.weight");
    // RobertaEmbeddings: positions count from padding_idx + 1, padding keeps padding_idx.
    Value x = bert_embeddings(base.pp("embeddings"), ids,
                              {.dim = c.hidden, .vocab = c.vocab, .type_vocab = c.type_vocab, .max_pos = c.max_pos,
                               .eps = c.eps, .position_ids = roberta_position_ids(ids, c.pad)});
    Value bias = padding_bias(mask);
    BertLayerOptions lo{.hidden = c.hidden, .heads = c.heads, .inter = c.inter, .eps = c.eps, .act = c.act};
    for (int64_t i = 0; i < c.layers; ++i) x = bert_layer(base.pp("encoder.layer", i), x, bias, lo);

    roberta_task_outputs(oc, base, x, in["input_ids"],
                         {.hidden = c.hidden, .vocab = c.vocab, .labels = g.config().num_labels(), .eps = c.eps});
}

std::string tiny_config(const std::string& model_type) {
    return R"({"model_type": ")" + model_type + R"(", "vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2,
        "num_attention_heads": 4, "intermediate_size": 37, "hidden_act": "gelu", "max_position_embeddings": 64,
        "type_vocab_size": 1, "layer_norm_eps": 1e-05, "pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2,
        "num_labels": 2})";
}

}  // namespace

HFX_PLUGIN("roberta", "0.1.0") {
    for (const char* type : {"roberta", "camembert", "xlm-roberta", "data2vec-text"})
        reg.add({.model_type = type,
                 .features = {"default", "masked-lm", "sequence-classification", "token-classification",
                              "question-answering", "multiple-choice"},
                 .reference = "transformers 4.40.2 models/roberta/modeling_roberta.py",
                 .build = build,
                 .tiny_config = tiny_config(type)});
}
