// ConvBERT, following transformers 4.40.2 src/transformers/models/convbert/modeling_convbert.py
// (ConvBertModel and its task heads): BERT whose self-attention is mixed with
// a span-based dynamic convolution (half the heads each, head_ratio), and
// GroupedLinearLayer feed-forwards when num_groups > 1.
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct ConvBertConfig {
    int64_t hidden, embed, heads, layers, inter, vocab, type_vocab, max_pos, kernel, groups;
    int64_t attn_heads, head_ratio, head_size;  // ConvBertSelfAttention's own head count after head_ratio
    double eps;
    std::string act;
    explicit ConvBertConfig(const Config& c)
        : hidden(c.i("hidden_size")), embed(c.i("embedding_size", 768)), heads(c.i("num_attention_heads")),
          layers(c.i("num_hidden_layers")), inter(c.i("intermediate_size")), vocab(c.i("vocab_size")),
          type_vocab(c.i("type_vocab_size", 2)), max_pos(c.i("max_position_embeddings")),
          kernel(c.i("conv_kernel_size", 9)), groups(c.i("num_groups", 1)), eps(c.f("layer_norm_eps", 1e-12)),
          act(c.s("hidden_act", "gelu")) {
        int64_t ratio = c.i("head_ratio", 2);
        attn_heads = heads / ratio < 1 ? 1 : heads / ratio;
        head_ratio = heads / ratio < 1 ? heads : ratio;
        head_size = hidden / heads;
    }
    int64_t all_head_size() const { return attn_heads * head_size; }
};

Value embeddings(const Weights& vb, const ConvBertConfig& c, Value ids, Value types) {
    Graph& g = vb.graph();
    auto s = vb.scope();
    Value positions = unsqueeze(range(g.scalar_i64(0), squeeze(dim(ids, 1), {0}), g.scalar_i64(1)), {0});
    Value x = embedding(vb.pp("word_embeddings"), ids, c.vocab, c.embed) +
              embedding(vb.pp("position_embeddings"), positions, c.max_pos, c.embed) +
              embedding(vb.pp("token_type_embeddings"), types, c.type_vocab, c.embed);
    return layer_norm(vb.pp("LayerNorm"), x, {.dim = c.embed, .eps = c.eps});
}

// SeparableConv1D over the sequence: depthwise conv (groups = channels, same
// padding), pointwise conv, per-channel bias. x: [b, s, in] -> [b, s, out]
Value separable_conv1d(const Weights& vb, Value x, int64_t in, int64_t out, int64_t k) {
    auto s = vb.scope();
    Value dw = x.g->node("Conv", {transpose(x, {0, 2, 1}), vb.get("depthwise.weight", {in, 1, k})},
                         {A::integer("group", in), A::list("kernel_shape", {k}), A::list("pads", {k / 2, k / 2})});
    Value pw = reshape(vb.get("pointwise.weight", {out, in, 1}), {out, in});
    return matmul(transpose(dw, {0, 2, 1}), transpose(pw, {1, 0})) + reshape(vb.get("bias", {out, 1}), Ints{out});
}

// nn.Unfold(kernel [k, 1], padding [(k-1)/2, 0]) on [b, s, a], then laid out as
// HF's transpose/reshape: [b, s, a, k] with [.., t, :, j] = x[.., t + j - (k-1)/2, :] (zeros outside).
Value unfold_sequence(Value x, int64_t k) {
    Graph& g = *x.g;
    int64_t p = (k - 1) / 2;
    Value padded = g.node("Pad", {x, g.constant_i64({0, p, 0, 0, k - 1 - p, 0})});
    Value t = unsqueeze(range(g.scalar_i64(0), squeeze(dim(x, 1), {0}), g.scalar_i64(1)), {1});  // [s, 1]
    std::vector<int64_t> offsets;
    for (int64_t j = 0; j < k; ++j) offsets.push_back(j);
    Value index = t + g.constant_i64(offsets, {1, k});         // [s, k]
    return transpose(gather(padded, index, 1), {0, 1, 3, 2});  // [b, s, k, a] -> [b, s, a, k]
}

// ConvBertSelfAttention: attention heads ++ dynamic-convolution heads. x: [b, s, hidden] -> [b, s, hidden]
Value self_attention(const Weights& vb, const ConvBertConfig& c, Value x, Value mask_bias) {
    auto s = vb.scope();
    int64_t all = c.all_head_size(), k = c.kernel;
    Value mixed_q = linear(vb.pp("query"), x, {.in = c.hidden, .out = all});
    Value mixed_k = linear(vb.pp("key"), x, {.in = c.hidden, .out = all});
    Value mixed_v = linear(vb.pp("value"), x, {.in = c.hidden, .out = all});
    Value key_conv = separable_conv1d(vb.pp("key_conv_attn_layer"), x, c.hidden, all, k);
    Value conv_attn = key_conv * mixed_q;  // [b, s, all]
    Value kernel = linear(vb.pp("conv_kernel_layer"), conv_attn, {.in = all, .out = c.attn_heads * k});
    kernel = softmax(reshape(kernel, {-1, k, 1}), 1);  // [b*s*heads, k, 1]
    Value conv_out = linear(vb.pp("conv_out_layer"), x, {.in = c.hidden, .out = all});
    conv_out = reshape(unfold_sequence(conv_out, k), {-1, c.head_size, k});  // [b*s*heads, head, k]
    conv_out = reshape(matmul(conv_out, kernel), {-1, all});                 // [b*s, all]

    Value ctx = scaled_dot_product(
        split_heads(mixed_q, c.attn_heads, c.head_size), split_heads(mixed_k, c.attn_heads, c.head_size),
        split_heads(mixed_v, c.attn_heads, c.head_size), {.head_dim = c.head_size, .bias = mask_bias});
    ctx = transpose(ctx, {0, 2, 1, 3});  // [b, s, heads, head]
    Value conv = reshape(conv_out, concat({dim(x, 0), x.g->constant_i64({-1, c.attn_heads, c.head_size})}, 0));
    return reshape(concat({ctx, conv}, 2), {0, 0, c.head_ratio * all});
}

// nn.Linear, or GroupedLinearLayer (weight [groups, in/groups, out/groups]) when num_groups > 1.
Value grouped_linear(const Weights& vb, const ConvBertConfig& c, Value x, int64_t in, int64_t out) {
    if (c.groups == 1) return linear(vb, x, {.in = in, .out = out});
    auto s = vb.scope();
    Value w = vb.get("weight", {c.groups, in / c.groups, out / c.groups});
    Value y = matmul(reshape(x, {0, 0, c.groups, 1, in / c.groups}), w);  // [b, s, groups, 1, out/groups]
    return reshape(y, {0, 0, out}) + vb.get("bias", {out});
}

Value layer(const Weights& vb, const ConvBertConfig& c, Value x, Value mask_bias) {
    auto s = vb.scope();
    Value ctx = self_attention(vb.pp("attention.self"), c, x, mask_bias);
    Value h = bert_output(vb.pp("attention.output"), ctx, x, c.hidden, {.hidden = c.hidden, .eps = c.eps});
    Value up = activation(grouped_linear(vb.pp("intermediate.dense"), c, h, c.hidden, c.inter), c.act);
    return layer_norm(vb.pp("output.LayerNorm"), grouped_linear(vb.pp("output.dense"), c, up, c.inter, c.hidden) + h,
                      {.dim = c.hidden, .eps = c.eps});
}

void build(Graph& g) {
    ConvBertConfig c(g.config());
    TextEncoderOnnxConfig oc(g, g.feature(), {.type_vocab_size = c.type_vocab, .vocab_size = c.vocab});
    g.set_property("padding_invariant", "false: the span-based dynamic convolution sees padded tokens, as in HF");
    TextInputs t = text_inputs(oc);  // multiple-choice: [b*choices, s]

    Weights cb = Weights::base(g, "convbert", "embeddings.word_embeddings.weight");
    Value x = embeddings(cb.pp("embeddings"), c, t.ids, *t.token_type_ids);
    if (c.embed != c.hidden) x = linear(cb.pp("embeddings_project"), x, {.in = c.embed, .out = c.hidden});
    Value bias = padding_bias(t.mask);
    for (int64_t i = 0; i < c.layers; ++i) x = layer(cb.pp("encoder.layer", i), c, x, bias);

    // ConvBertModel has no pooler; the heads are ELECTRA's (the classifier with hidden_act).
    EncoderHeadOptions heads = electra_style_heads(g, c.hidden, c.act);
    heads.masked_lm = [&](Value h) {
        return generator_head(cb.pp("embeddings.word_embeddings"), h,
                              {.hidden = c.hidden, .embed = c.embed, .vocab = c.vocab, .eps = c.eps});
    };
    encoder_task_outputs(oc, x, t.input_ids, heads);
}

}  // namespace

HFX_PLUGIN("convbert", "0.1.0") {
    reg.add({.model_type = "convbert",
             .features = kTextEncoderFeatures,
             .reference = "transformers 4.40.2 models/convbert/modeling_convbert.py",
             .build = build,
             .tiny_config = R"({"model_type": "convbert", "vocab_size": 99, "embedding_size": 32, "hidden_size": 32,
                 "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 37, "hidden_act": "gelu",
                 "max_position_embeddings": 64, "type_vocab_size": 2, "layer_norm_eps": 1e-12, "head_ratio": 2,
                 "conv_kernel_size": 9, "num_groups": 1, "num_labels": 2})"});
}
