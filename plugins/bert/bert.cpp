// BERT, following transformers 4.40.2 src/transformers/models/bert/modeling_bert.py
// (BertModel and its task heads), absolute position embeddings, eager attention.
#include <hfx/hfx.h>

using namespace hfx;

namespace {

void build(Graph& g) {
    BertLikeConfig c(g.config());
    TextEncoderOnnxConfig oc(g, g.feature(), c.onnx_options());
    oc.atol_for_validation = 1e-4;
    TextInputs t = text_inputs(oc);  // multiple-choice: [b*choices, s]

    Weights bert = Weights::base(g, "bert", "embeddings.word_embeddings.weight");
    Value x = bert_embeddings(bert.pp("embeddings"), t.ids, c.embeddings_options(c.hidden, t.token_type_ids));
    Value bias = padding_bias(t.mask);
    for (int64_t i = 0; i < c.layers; ++i) x = bert_layer(bert.pp("encoder.layer", i), x, bias, c.layer_options());

    // BertForSequenceClassification / BertForMultipleChoice classify the pooler output.
    encoder_task_outputs(oc, x, t.input_ids,
                         {.hidden = c.hidden,
                          .pooler_output = [&](Value h) { return bert_pooler(bert.pp("pooler"), h, c.hidden); },
                          .masked_lm =
                              [&](Value h) {
                                  return bert_lm_head(
                                      Weights(g, "cls.predictions"), bert.pp("embeddings.word_embeddings"), h,
                                      {.hidden = c.hidden, .vocab = c.vocab, .eps = c.eps, .act = c.act});
                              }});
}

}  // namespace
HFX_PLUGIN("bert", "0.1.0") {
    reg.add({.model_type = "bert",
             .features = kTextEncoderFeatures,
             .reference = "transformers 4.40.2 models/bert/modeling_bert.py",
             .build = build,
             .tiny_config = R"({"model_type": "bert", "vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "intermediate_size": 37, "hidden_act": "gelu", "max_position_embeddings": 64,
                 "type_vocab_size": 2, "layer_norm_eps": 1e-12, "num_labels": 2})"});
}
