// RoBERTa and its copies, following transformers 4.40.2
// src/transformers/models/roberta/modeling_roberta.py (RobertaModel and its task
// heads). CamemBERT, XLM-RoBERTa and Data2VecText are "Copied from" RoBERTa and
// differ only in the base model's prefix. Eager attention, absolute positions.
#include <hfx/hfx.h>

using namespace hfx;

namespace {

// RobertaConfig: BERT's keys plus the padding index the positions count from.
struct RobertaConfig : BertLikeConfig {
    int64_t pad;
    explicit RobertaConfig(const Config& c) : BertLikeConfig(c), pad(c.i("pad_token_id", 1)) {}
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
    TextInputs t = text_inputs(oc);  // multiple-choice: [b*choices, s]

    Weights base = Weights::base(g, base_prefix(g.model_type()), "embeddings.word_embeddings.weight");
    // RobertaEmbeddings: positions count from padding_idx + 1, padding keeps padding_idx.
    Value x = bert_embeddings(base.pp("embeddings"), t.ids,
                              {.dim = c.hidden,
                               .vocab = c.vocab,
                               .type_vocab = c.type_vocab,
                               .max_pos = c.max_pos,
                               .eps = c.eps,
                               .position_ids = roberta_position_ids(t.ids, c.pad)});
    Value bias = padding_bias(t.mask);
    for (int64_t i = 0; i < c.layers; ++i) x = bert_layer(base.pp("encoder.layer", i), x, bias, c.layer_options());

    roberta_task_outputs(oc, base, x, t.input_ids,
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
                 .features = kTextEncoderFeatures,
                 .reference = "transformers 4.40.2 models/roberta/modeling_roberta.py",
                 .build = build,
                 .tiny_config = tiny_config(type)});
}
