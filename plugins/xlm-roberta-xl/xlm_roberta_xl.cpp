// XLM-RoBERTa-XL, following transformers 4.40.2
// src/transformers/models/xlm_roberta_xl/modeling_xlm_roberta_xl.py: RoBERTa with
// pre-LayerNorm layers (attention.self_attn_layer_norm before attention, LayerNorm
// before the feed-forward), no embedding LayerNorm, and a final encoder.LayerNorm.
// Embeddings and heads are RoBERTa's (blocks/bert_like.h).
#include <hfx/hfx.h>

using namespace hfx;

namespace {

void build(Graph& g) {
    Config cfg = g.config();
    int64_t hidden = cfg.i("hidden_size"), vocab = cfg.i("vocab_size"), pad = cfg.i("pad_token_id", 1);
    double eps = cfg.f("layer_norm_eps", 1e-5);
    require_absolute_positions(cfg);
    TextEncoderOnnxConfig oc(g, g.feature(), {.token_type_ids = false, .vocab_size = vocab});
    oc.atol_for_validation = 1e-4;
    TextInputs t = text_inputs(oc);  // multiple-choice: [b*choices, s]

    Weights base = Weights::base(g, "roberta", "embeddings.word_embeddings.weight");
    // XLMRobertaXLEmbeddings: RoBERTa's, without the LayerNorm.
    Value x = bert_embeddings(base.pp("embeddings"), t.ids,
                              {.dim = hidden,
                               .vocab = vocab,
                               .type_vocab = cfg.i("type_vocab_size", 1),
                               .max_pos = cfg.i("max_position_embeddings"),
                               .eps = eps,
                               .position_ids = roberta_position_ids(t.ids, pad),
                               .layer_norm = false});
    // XLMRobertaXLEncoder: pre-LN layers, then encoder.LayerNorm.
    Value bias = padding_bias(t.mask);
    BertLayerOptions lo{.hidden = hidden,
                        .heads = cfg.i("num_attention_heads"),
                        .inter = cfg.i("intermediate_size"),
                        .eps = eps,
                        .act = cfg.s("hidden_act", "gelu")};
    Weights encoder = base.pp("encoder");
    for (int64_t i = 0, n = cfg.i("num_hidden_layers"); i < n; ++i)
        x = bert_pre_ln_layer(encoder.pp("layer", i), x, bias, lo);
    x = layer_norm(encoder.pp("LayerNorm"), x, {.dim = hidden, .eps = eps});

    roberta_task_outputs(oc, base, x, t.input_ids,
                         {.hidden = hidden, .vocab = vocab, .labels = cfg.num_labels(), .eps = eps});
}

}  // namespace

HFX_PLUGIN("xlm-roberta-xl", "0.1.0") {
    reg.add({.model_type = "xlm-roberta-xl",
             .features = kTextEncoderFeatures,
             .reference = "transformers 4.40.2 models/xlm_roberta_xl/modeling_xlm_roberta_xl.py",
             .build = build,
             .tiny_config = R"({"model_type": "xlm-roberta-xl", "vocab_size": 99, "hidden_size": 32,
                 "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 37, "hidden_act": "gelu",
                 "max_position_embeddings": 64, "type_vocab_size": 1, "layer_norm_eps": 1e-05, "pad_token_id": 1,
                 "bos_token_id": 0, "eos_token_id": 2, "num_labels": 2})"});
}
