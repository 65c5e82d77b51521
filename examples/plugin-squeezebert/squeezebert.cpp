// SqueezeBERT, following transformers 4.40.2
// src/transformers/models/squeezebert/modeling_squeezebert.py (SqueezeBertModel
// and its task heads). BERT's embeddings and heads around an encoder that works
// in [batch, channels, sequence] layout with grouped 1x1 convolutions
// (nn.Conv1d(kernel_size=1, groups=g)) instead of nn.Linear.
// An out-of-tree plugin: it builds against the installed SDK only.
#include <hfx/hfx.h>

using namespace hfx;

namespace {

// SqueezeBertConfig: BERT's keys plus the group count of each convolution.
struct SqueezeBertConfig : BertLikeConfig {
    int64_t q_groups, k_groups, v_groups, post_attention_groups, intermediate_groups, output_groups;
    explicit SqueezeBertConfig(const Config& c)
        : BertLikeConfig(c), q_groups(c.i("q_groups", 4)), k_groups(c.i("k_groups", 4)), v_groups(c.i("v_groups", 4)),
          post_attention_groups(c.i("post_attention_groups", 1)), intermediate_groups(c.i("intermediate_groups", 4)),
          output_groups(c.i("output_groups", 1)) {
        if (c.i("embedding_size", hidden) != hidden)
            throw Error("config key 'embedding_size': must equal hidden_size (SqueezeBertEncoder asserts it)");
    }
};

// nn.Conv1d(cin, cout, kernel_size=1, groups): x [N, cin, W] -> [N, cout, W]
Value conv1d(const Weights& vb, Value x, int64_t cin, int64_t cout, int64_t groups) {
    auto s = vb.scope();
    if (cin % groups || cout % groups) throw Error("module '" + vb.prefix() + "': channels do not divide into groups");
    Value w = vb.get("weight", {cout, cin / groups, 1});
    return x.g->node("Conv", {x, w, vb.get("bias", {cout})},
                     {A::integer("group", groups), A::list("kernel_shape", {1})});
}

// SqueezeBertLayerNorm: LayerNorm over the channels of [N, C, W]. Its eps is
// nn.LayerNorm's 1e-12 default: ConvDropoutLayerNorm does not pass the config's.
Value channel_layer_norm(const Weights& vb, Value x, int64_t channels) {
    return transpose(layer_norm(vb, transpose(x, {0, 2, 1}), {.dim = channels, .eps = 1e-12}), {0, 2, 1});
}

// ConvDropoutLayerNorm: conv1d, + residual, layernorm (all [N, C, W]).
Value conv_dropout_layer_norm(const Weights& vb, Value x, Value residual, int64_t cin, int64_t cout, int64_t groups) {
    return channel_layer_norm(vb.pp("layernorm"), conv1d(vb.pp("conv1d"), x, cin, cout, groups) + residual, cout);
}

// SqueezeBertSelfAttention on x [N, C, W]; mask_bias [N, 1, 1, W].
Value self_attention(const Weights& vb, const SqueezeBertConfig& c, Value x, Value mask_bias) {
    auto s = vb.scope();
    int64_t head_dim = c.hidden / c.heads;
    auto heads_of = [&](const char* name, int64_t groups) {  // [N, C, W] -> [N, heads, head_dim, W]
        return reshape(conv1d(vb.pp(name), x, c.hidden, c.hidden, groups), {0, c.heads, head_dim, -1});
    };
    Value q = transpose(heads_of("query", c.q_groups), {0, 1, 3, 2});  // [N, H, W, d]
    Value k = heads_of("key", c.k_groups);                             // [N, H, d, W]: no permute
    Value v = transpose(heads_of("value", c.v_groups), {0, 1, 3, 2});  // [N, H, W, d]
    Value scores = matmul(q, k) / float(std::sqrt(double(head_dim))) + mask_bias;
    Value ctx = matmul(softmax(scores, -1), v);                       // [N, H, W, d]
    return reshape(transpose(ctx, {0, 1, 3, 2}), {0, c.hidden, -1});  // [N, C, W]
}

// SqueezeBertModule: attention, post_attention, intermediate, output.
Value module(const Weights& vb, const SqueezeBertConfig& c, Value x, Value mask_bias) {
    auto s = vb.scope();
    Value att = self_attention(vb.pp("attention"), c, x, mask_bias);
    Value post = conv_dropout_layer_norm(vb.pp("post_attention"), att, x, c.hidden, c.hidden, c.post_attention_groups);
    Value mid = [&] {
        auto s2 = vb.pp("intermediate").scope();
        return activation(conv1d(vb.pp("intermediate.conv1d"), post, c.hidden, c.inter, c.intermediate_groups), c.act);
    }();
    return conv_dropout_layer_norm(vb.pp("output"), mid, post, c.inter, c.hidden, c.output_groups);
}

// SqueezeBertEmbeddings: as BERT's (words + positions + token types, LayerNorm).
Value embeddings(const Weights& vb, const SqueezeBertConfig& c, Value ids, Value types) {
    auto s = vb.scope();
    Value x = embedding(vb.pp("word_embeddings"), ids, c.vocab, c.hidden) +
              embedding(vb.pp("position_embeddings"), arange_positions(ids), c.max_pos, c.hidden) +
              embedding(vb.pp("token_type_embeddings"), types, c.type_vocab, c.hidden);
    return layer_norm(vb.pp("LayerNorm"), x, {.dim = c.hidden, .eps = c.eps});
}

void build(Graph& g) {
    SqueezeBertConfig c(g.config());
    TextEncoderOnnxConfig oc(g, g.feature(), c.onnx_options());
    oc.atol_for_validation = 1e-4;
    TextInputs t = text_inputs(oc);  // multiple-choice: [b*choices, s]

    // base_model_prefix = "transformer"
    Weights tr = Weights::base(g, "transformer", "embeddings.word_embeddings.weight");
    Value x = embeddings(tr.pp("embeddings"), c, t.ids, *t.token_type_ids);  // [N, W, C]
    Value bias = padding_bias(t.mask);
    {
        auto s = tr.pp("encoder").scope();
        x = transpose(x, {0, 2, 1});  // [N, C, W]
        for (int64_t i = 0; i < c.layers; ++i) x = module(tr.pp("encoder.layers", i), c, x, bias);
        x = transpose(x, {0, 2, 1});  // [N, W, C]
    }

    // BERT's heads: the classifiers read the pooler output.
    encoder_task_outputs(oc, x, t.input_ids,
                         {.hidden = c.hidden,
                          .pooler_output = [&](Value h) { return bert_pooler(tr.pp("pooler"), h, c.hidden); },
                          .masked_lm =
                              [&](Value h) {
                                  return bert_lm_head(
                                      Weights(g, "cls.predictions"), tr.pp("embeddings.word_embeddings"), h,
                                      {.hidden = c.hidden, .vocab = c.vocab, .eps = c.eps, .act = c.act});
                              }});
}

}  // namespace

HFX_PLUGIN("squeezebert", "0.1.0") {
    reg.add({.model_type = "squeezebert",
             .features = kTextEncoderFeatures,
             .reference = "transformers 4.40.2 models/squeezebert/modeling_squeezebert.py",
             .build = build,
             // Different group counts per conv, so a mixed-up group count shows up as a shape error.
             .tiny_config = R"({"model_type": "squeezebert", "vocab_size": 99, "hidden_size": 32,
                 "embedding_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 64,
                 "hidden_act": "gelu", "max_position_embeddings": 64, "type_vocab_size": 2, "layer_norm_eps": 1e-12,
                 "q_groups": 2, "k_groups": 4, "v_groups": 2, "post_attention_groups": 1, "intermediate_groups": 4,
                 "output_groups": 2, "num_labels": 2})"});
}
