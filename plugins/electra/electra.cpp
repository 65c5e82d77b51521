// ELECTRA, following transformers 4.40.2
// src/transformers/models/electra/modeling_electra.py (ElectraModel and its task
// heads). Embeddings of embedding_size projected to hidden_size by embeddings_project;
// the layers are BERT's (blocks/bert_like.h); eager attention, absolute positions.
#include <hfx/hfx.h>

using namespace hfx;

namespace {

// ElectraConfig: BERT's keys plus embedding_size.
struct ElectraConfig : BertLikeConfig {
    int64_t emb;
    explicit ElectraConfig(const Config& c) : BertLikeConfig(c), emb(c.i("embedding_size", 128)) {
        // The summary_* keys shape the multiple-choice head (sequence_summary reads them there); read for every feature.
        for (const char* key : {"summary_type", "summary_use_proj", "summary_activation", "summary_proj_to_labels"})
            (void)c.has(key);
    }
};

void build(Graph& g) {
    ElectraConfig c(g.config());
    TextEncoderOnnxConfig oc(g, g.feature(), c.onnx_options());
    oc.atol_for_validation = 1e-4;
    TextInputs t = text_inputs(oc);  // multiple-choice: [b*choices, s]

    // ElectraModel: embeddings [b, s, emb] -> embeddings_project (when emb != hidden) -> encoder.
    Weights electra = Weights::base(g, "electra", "embeddings.word_embeddings.weight");
    Value x = bert_embeddings(electra.pp("embeddings"), t.ids, c.embeddings_options(c.emb, t.token_type_ids));
    if (c.emb != c.hidden) x = linear(electra.pp("embeddings_project"), x, {.in = c.emb, .out = c.hidden});
    Value bias = padding_bias(t.mask);
    for (int64_t i = 0; i < c.layers; ++i) x = bert_layer(electra.pp("encoder.layer", i), x, bias, c.layer_options());

    // ElectraModel has no pooler; ElectraClassificationHead uses gelu where BERT uses tanh.
    EncoderHeadOptions heads = electra_style_heads(g, c.hidden, "gelu");
    heads.masked_lm = [&](Value h) {
        return generator_head(electra.pp("embeddings.word_embeddings"), h,
                              {.hidden = c.hidden, .embed = c.emb, .vocab = c.vocab, .eps = c.eps});
    };
    encoder_task_outputs(oc, x, t.input_ids, heads);
}

}  // namespace

HFX_PLUGIN("electra", "0.1.0") {
    reg.add({.model_type = "electra",
             .features = kTextEncoderFeatures,
             .reference = "transformers 4.40.2 models/electra/modeling_electra.py",
             .build = build,
             .tiny_config = R"({"model_type": "electra", "vocab_size": 99, "embedding_size": 16, "hidden_size": 32,
                 "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 37, "hidden_act": "gelu",
                 "max_position_embeddings": 64, "type_vocab_size": 2, "layer_norm_eps": 1e-12,
                 "summary_type": "first", "summary_use_proj": true, "summary_activation": "gelu", "num_labels": 2})"});
}
