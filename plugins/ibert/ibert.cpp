// I-BERT in its float mode (quant_mode false), following transformers 4.40.2
// src/transformers/models/ibert/modeling_ibert.py and quant_modules.py. Without
// quantization every Quant* module is its float counterpart: QuantEmbedding ->
// F.embedding, QuantLinear -> F.linear, QuantAct -> identity (adding its `identity`
// residual), IntGELU -> nn.GELU (exact erf), IntSoftmax -> softmax, IntLayerNorm ->
// (x - mean) / sqrt(eps + var) * weight + bias, i.e. LayerNorm. So the graph is RoBERTa's
// (padding-index position ids, RobertaLMHead / classification head copies), built from
// blocks/bert_like.h. The *_integer / *_scaling_factor / x_min / x_max buffers are unused.
#include <hfx/hfx.h>

using namespace hfx;

namespace {

void build(Graph& g) {
    Config cfg = g.config();
    if (cfg.b("quant_mode", false))
        throw Error("config key 'quant_mode': only the float path (quant_mode false) is exported (config.json)");
    (void)cfg.has("force_dequant");  // the integer-only path's switches; the float path has none
    if (cfg.s("hidden_act", "gelu") != "gelu")
        throw Error("config key 'hidden_act': I-BERT only supports 'gelu' (config.json)");
    BertLikeConfig c(cfg);  // IBertSelfAttention, like HF, takes absolute positions only
    TextEncoderOnnxConfig oc(g, g.feature(), {.token_type_ids = false, .vocab_size = c.vocab});
    oc.atol_for_validation = 1e-4;
    TextInputs t = text_inputs(oc);  // multiple-choice: [b*choices, s]

    // IBertEmbeddings: word + token type (zeros buffer) + position (from the padding index), LayerNorm.
    Weights base = Weights::base(g, "ibert", "embeddings.word_embeddings.weight");
    Value x = bert_embeddings(base.pp("embeddings"), t.ids,
                              {.dim = c.hidden,
                               .vocab = c.vocab,
                               .type_vocab = c.type_vocab,
                               .max_pos = c.max_pos,
                               .eps = c.eps,
                               .position_ids = roberta_position_ids(t.ids, cfg.i("pad_token_id", 1))});
    Value bias = padding_bias(t.mask);
    for (int64_t i = 0; i < c.layers; ++i) x = bert_layer(base.pp("encoder.layer", i), x, bias, c.layer_options());

    roberta_task_outputs(oc, base, x, t.input_ids,
                         {.hidden = c.hidden, .vocab = c.vocab, .labels = cfg.num_labels(), .eps = c.eps});
}

}  // namespace

HFX_PLUGIN("ibert", "0.1.0") {
    reg.add({.model_type = "ibert",
             .features = kTextEncoderFeatures,
             .reference = "transformers 4.40.2 models/ibert/modeling_ibert.py",
             .build = build,
             .tiny_config = R"({"model_type": "ibert", "vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "intermediate_size": 37, "hidden_act": "gelu", "max_position_embeddings": 64,
                 "type_vocab_size": 1, "layer_norm_eps": 1e-12, "pad_token_id": 1, "bos_token_id": 0,
                 "eos_token_id": 2, "quant_mode": false, "force_dequant": "none", "num_labels": 2})"});
}
