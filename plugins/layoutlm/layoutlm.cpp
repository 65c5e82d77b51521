// LayoutLM (v1), following transformers 4.40.2
// src/transformers/models/layoutlm/modeling_layoutlm.py (LayoutLMModel and its task
// heads): BERT plus 2-D position embeddings of the token boxes (bbox). The layers,
// pooler and heads are BERT's (blocks/bert_like.h).
#include <hfx/hfx.h>

using namespace hfx;

namespace {

// LayoutLMConfig: BERT's keys (LayoutLMSelfAttention is BERT's, so relative
// position_embedding_type is rejected there) plus the 2-D position table size.
struct LayoutLMConfig : BertLikeConfig {
    int64_t max_2d;
    explicit LayoutLMConfig(const Config& c) : BertLikeConfig(c), max_2d(c.i("max_2d_position_embeddings", 1024)) {}
};

// transformers.onnx's LayoutLMOnnxConfig: input_ids, bbox [batch, sequence, 4],
// attention_mask, token_type_ids; boxes are drawn below max_2d_position_embeddings.
class LayoutLMOnnxConfig : public TextEncoderOnnxConfig {
public:
    LayoutLMOnnxConfig(Graph& g, std::string task, const LayoutLMConfig& c)
        : TextEncoderOnnxConfig(g, std::move(task), {.type_vocab_size = c.type_vocab, .vocab_size = c.vocab}),
          max_2d_(c.max_2d) {}
    std::vector<IO> inputs() const override {
        std::vector<IO> in = TextEncoderOnnxConfig::inputs();
        in.insert(in.begin() + 1, IO{"bbox", DT::i64, {"batch", "sequence", "4"}, HFX_DUMMY_BOXES, 0, max_2d_});
        return in;
    }

private:
    int64_t max_2d_;
};

// LayoutLMEmbeddings: words + positions + x0, y0, x1, y1, height, width + token types
// (HF's summation order), then LayerNorm. ids [b, s], bbox [b, s, 4] -> [b, s, hidden]
Value embeddings(const Weights& vb, const LayoutLMConfig& c, Value ids, Value bbox, Value types) {
    auto s = vb.scope();
    auto coord = [&](int64_t k) { return squeeze(slice(bbox, 2, k, k + 1), {2}); };  // bbox[:, :, k]
    auto pos2d = [&](const char* name, Value index) { return embedding(vb.pp(name), index, c.max_2d, c.hidden); };
    Value x0 = coord(0), y0 = coord(1), x1 = coord(2), y1 = coord(3);
    Value x = embedding(vb.pp("word_embeddings"), ids, c.vocab, c.hidden) +
              embedding(vb.pp("position_embeddings"), arange_positions(ids), c.max_pos, c.hidden);
    x = x + pos2d("x_position_embeddings", x0) + pos2d("y_position_embeddings", y0) +
        pos2d("x_position_embeddings", x1) + pos2d("y_position_embeddings", y1);
    x = x + pos2d("h_position_embeddings", y1 - y0) + pos2d("w_position_embeddings", x1 - x0);
    x = x + embedding(vb.pp("token_type_embeddings"), types, c.type_vocab, c.hidden);
    return layer_norm(vb.pp("LayerNorm"), x, {.dim = c.hidden, .eps = c.eps});
}

void build(Graph& g) {
    LayoutLMConfig c(g.config());
    LayoutLMOnnxConfig oc(g, g.feature(), c);
    oc.atol_for_validation = 1e-4;
    auto in = oc.declare_inputs();

    Weights base = Weights::base(g, "layoutlm", "embeddings.word_embeddings.weight");
    Value x = embeddings(base.pp("embeddings"), c, in["input_ids"], in["bbox"], in["token_type_ids"]);
    Value bias = padding_bias(in["attention_mask"]);
    for (int64_t i = 0; i < c.layers; ++i) x = bert_layer(base.pp("encoder.layer", i), x, bias, c.layer_options());

    // BERT's heads: the sequence classifier reads the pooler output.
    encoder_task_outputs(oc, x, in["input_ids"],
                         {.hidden = c.hidden,
                          .pooler_output = [&](Value h) { return bert_pooler(base.pp("pooler"), h, c.hidden); },
                          .masked_lm =
                              [&](Value h) {
                                  return bert_lm_head(
                                      Weights(g, "cls.predictions"), base.pp("embeddings.word_embeddings"), h,
                                      {.hidden = c.hidden, .vocab = c.vocab, .eps = c.eps, .act = c.act});
                              }});
}

}  // namespace

HFX_PLUGIN("layoutlm", "0.1.0") {
    // transformers 4.40.2 has no LayoutLM question-answering / multiple-choice class for these exports.
    reg.add({.model_type = "layoutlm",
             .features = {"default", "masked-lm", "sequence-classification", "token-classification"},
             .reference = "transformers 4.40.2 models/layoutlm/modeling_layoutlm.py",
             .build = build,
             .tiny_config = R"({"model_type": "layoutlm", "vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "intermediate_size": 37, "hidden_act": "gelu", "max_position_embeddings": 64,
                 "max_2d_position_embeddings": 64, "type_vocab_size": 2, "layer_norm_eps": 1e-12, "num_labels": 2})"});
}
