// BigBird (encoder), following transformers 4.40.2
// src/transformers/models/big_bird/modeling_big_bird.py, with attention_type
// "original_full": BERT's full attention. A "block_sparse" config is exported the same
// way: BigBirdModel.forward itself switches to original_full whenever
// seq_length <= (5 + 2 * num_random_blocks) * block_size, so the graph matches HF up to
// that length (see README). Layers and heads from blocks/bert_like.h.
#include <hfx/hfx.h>

using namespace hfx;

namespace {

// BigBirdConfig: BERT's keys plus attention_type, sep_token_id, rescale_embeddings, use_bias.
struct BigBirdConfig : BertLikeConfig {
    int64_t sep;
    bool rescale, use_bias;
    explicit BigBirdConfig(const Config& c)
        : BertLikeConfig(c, {.act = "gelu_new"}), sep(c.i("sep_token_id", 66)),
          rescale(c.b("rescale_embeddings", false)), use_bias(c.b("use_bias", true)) {
        std::string type = c.s("attention_type", "block_sparse");
        if (type != "original_full" && type != "block_sparse")
            throw Error("config key 'attention_type': expected original_full or block_sparse, got '" + type +
                        "' (config.json)");
        // Full attention uses no blocks; left unread under block_sparse, they make the host warn
        // (this graph equals block_sparse only up to (5 + 2 num_random_blocks) block_size tokens).
        if (type == "original_full")
            for (const char* key : {"block_size", "num_random_blocks"}) (void)c.has(key);
    }
};

// BigBirdModel's pooler: tanh(pooler(hidden[:, 0])), a bare Linear named "pooler".
Value pooler(const Weights& base, const BigBirdConfig& c, Value x) {
    return tanh(linear(base.pp("pooler"), first_token(x), {.in = c.hidden, .out = c.hidden}));
}

// BigBirdForQuestionAnswering: qa_classifier (intermediate, output with LayerNorm on the
// residual, qa_outputs), minus 1e6 on the question tokens 1..q_len-1, where
// q_len = argmax(input_ids == sep_token_id) + 1 (prepare_question_mask, [:, 0] kept).
std::pair<Value, Value> question_answering(Graph& g, const BigBirdConfig& c, Value x, Value ids) {
    Weights head(g, "qa_classifier");
    Value logits = [&] {
        auto s = head.scope();
        Value h = activation(linear(head.pp("intermediate.dense"), x, {.in = c.hidden, .out = c.inter}), c.act);
        h = bert_output(head.pp("output"), h, x, c.inter, c.layer_options());
        return linear(head.pp("qa_outputs"), h, {.in = c.hidden, .out = 2});
    }();
    Value q_len =
        cast(argmax(cast(equal(ids, g.scalar_i64(c.sep)), DT::i32), -1, true), DT::i64) + g.scalar_i64(1);  // [b, 1]
    Value pos = unsqueeze(arange_positions(ids), {-1});                                                     // [1, s, 1]
    Value question = logical_and(less(pos, unsqueeze(q_len, {-1})), greater(pos, g.scalar_i64(0)));         // [b, s, 1]
    logits = logits - cast(question, DT::f32) * 1e6f;
    auto parts = split(logits, -1, {1, 1});
    return {squeeze(parts[0], {-1}), squeeze(parts[1], {-1})};
}

void build(Graph& g) {
    BigBirdConfig c(g.config());
    TextEncoderOnnxConfig oc(g, g.feature(), c.onnx_options());
    oc.atol_for_validation = 1e-4;
    TextInputs t = text_inputs(oc);  // multiple-choice: [b*choices, s]

    Weights bert = Weights::base(g, "bert", "embeddings.word_embeddings.weight");
    BertEmbeddingsOptions eo = c.embeddings_options(c.hidden, t.token_type_ids);
    if (c.rescale) eo.word_scale = float(std::sqrt(double(c.hidden)));
    Value x = bert_embeddings(bert.pp("embeddings"), t.ids, eo);
    Value bias = padding_bias(t.mask);
    BertLayerOptions lo = c.layer_options();
    lo.qkv_bias = c.use_bias;
    for (int64_t i = 0; i < c.layers; ++i) x = bert_layer(bert.pp("encoder.layer", i), x, bias, lo);

    encoder_task_outputs(
        oc, x, t.input_ids,
        {.hidden = c.hidden,
         .pooler_output = [&](Value h) { return pooler(bert, c, h); },
         .masked_lm =
             [&](Value h) {
                 return bert_lm_head(Weights(g, "cls.predictions"), bert.pp("embeddings.word_embeddings"), h,
                                     {.hidden = c.hidden, .vocab = c.vocab, .eps = c.eps, .act = c.act});
             },
         // BigBirdClassificationHead: hidden_act where RoBERTa uses tanh.
         .sequence_classification =
             [&](Value h) {
                 return classification_head(Weights(g, "classifier"), h,
                                            {.hidden = c.hidden, .labels = g.config().num_labels(), .act = c.act});
             },
         .question_answering = [&](Value h) { return question_answering(g, c, h, t.ids); }});
}

}  // namespace

HFX_PLUGIN("big_bird", "0.1.0") {
    reg.add({.model_type = "big_bird",
             .features = kTextEncoderFeatures,
             .reference = "transformers 4.40.2 models/big_bird/modeling_big_bird.py",
             .build = build,
             .tiny_config = R"({"model_type": "big_bird", "vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "intermediate_size": 37, "hidden_act": "gelu_new",
                 "max_position_embeddings": 64, "type_vocab_size": 2, "layer_norm_eps": 1e-12,
                 "attention_type": "original_full", "block_size": 4, "num_random_blocks": 2, "use_bias": true,
                 "rescale_embeddings": false, "pad_token_id": 0, "sep_token_id": 66, "num_labels": 2})"});
}
