// GPT-2, following transformers 4.40.2 src/transformers/models/gpt2/modeling_gpt2.py
// (GPT2Model, GPT2LMHeadModel, GPT2ForSequenceClassification, GPT2ForTokenClassification),
// eager attention (GPT2Attention._attn / _upcast_and_reordered_attn).
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct Gpt2Config {
    int64_t hidden, heads, layers, inner, vocab, max_pos;
    double eps;
    std::string act;
    bool scale_attn_weights, scale_by_layer, reorder_and_upcast;
    explicit Gpt2Config(const Config& c)
        : hidden(c.i("n_embd")), heads(c.i("n_head")), layers(c.i("n_layer")), inner(c.i("n_inner", 4 * hidden)),
          vocab(c.i("vocab_size")), max_pos(c.i("n_positions")), eps(c.f("layer_norm_epsilon", 1e-5)),
          act(c.s("activation_function", "gelu_new")), scale_attn_weights(c.b("scale_attn_weights", true)),
          scale_by_layer(c.b("scale_attn_by_inverse_layer_idx", false)),
          reorder_and_upcast(c.b("reorder_and_upcast_attn", false)) {
        c.require_divisible("n_embd", hidden, "n_head", heads);
        // The summary_* keys size GPT2DoubleHeadsModel's multiple-choice head, which no feature exports.
        for (const char* key : {"summary_type", "summary_use_proj", "summary_activation", "summary_proj_to_labels"})
            (void)c.has(key);
    }
    int64_t head_dim() const { return hidden / heads; }
};

// GPT2Attention: fused c_attn (Conv1D [hidden, 3*hidden]) -> q, k, v; the
// causal mask is applied with where(), then the padding bias is added.
Value attention(const Weights& vb, const Gpt2Config& c, int64_t layer, Value x, Value causal, Value pad_bias,
                KvCache& cache) {
    auto s = vb.scope();
    int64_t d = c.head_dim();
    Value qkv = linear(vb.pp("c_attn"), x, {.in = c.hidden, .out = 3 * c.hidden, .conv1d = true});
    auto parts = split(qkv, 2, {c.hidden, c.hidden, c.hidden});
    Value q = split_heads(parts[0], c.heads, d);  // [b, heads, new, d]
    auto [k, v] = cache.append(layer, split_heads(parts[1], c.heads, d), split_heads(parts[2], c.heads, d));

    Value w;
    if (c.reorder_and_upcast) {
        // _upcast_and_reordered_attn: baddbmm with alpha = 1/sqrt(d) / (layer+1), in float32.
        float alpha = 1.f;
        if (c.scale_attn_weights) alpha /= std::sqrt(float(d));
        if (c.scale_by_layer) alpha /= float(layer + 1);
        w = matmul(q, transpose(k, {0, 1, 3, 2})) * alpha;
    } else {
        w = matmul(q, transpose(k, {0, 1, 3, 2}));
        if (c.scale_attn_weights) w = w / std::sqrt(float(d));  // value.size(-1) ** 0.5
        if (c.scale_by_layer) w = w / float(layer + 1);
    }
    w = mask_scores_causal_then_bias(w, causal, pad_bias);
    Value ctx = merge_heads(matmul(softmax(w, -1), v));
    return linear(vb.pp("c_proj"), ctx, {.in = c.hidden, .out = c.hidden, .conv1d = true});
}

// GPT2Block: pre-LayerNorm attention and MLP, each with a residual.
Value block(const Weights& vb, const Gpt2Config& c, int64_t layer, Value x, Value causal, Value pad_bias,
            KvCache& cache) {
    auto s = vb.scope();
    Value h = layer_norm(vb.pp("ln_1"), x, {.dim = c.hidden, .eps = c.eps});
    x = x + attention(vb.pp("attn"), c, layer, h, causal, pad_bias, cache);
    h = layer_norm(vb.pp("ln_2"), x, {.dim = c.hidden, .eps = c.eps});
    Weights mlp = vb.pp("mlp");
    Value up = activation(linear(mlp.pp("c_fc"), h, {.in = c.hidden, .out = c.inner, .conv1d = true}), c.act);
    return x + linear(mlp.pp("c_proj"), up, {.in = c.inner, .out = c.hidden, .conv1d = true});
}

void build(Graph& g) {
    Gpt2Config c(g.config());
    // Without position_ids (classification heads) GPT2Model counts past .. past+new-1.
    DecoderInputs d(g, {.vocab_size = c.vocab, .past = {c.layers, c.heads, c.head_dim()}});

    Weights tr = Weights::base(g, "transformer", "wte.weight");
    Value x = [&] {
        auto s = tr.scope();
        return embedding(tr.pp("wte"), d.ids, c.vocab, c.hidden) +
               embedding(tr.pp("wpe"), d.positions, c.max_pos, c.hidden);
    }();
    Value causal = causal_allowed(d.ids, d.mask);
    Value pad_bias = padding_bias(d.mask);  // (1 - mask) * finfo.min, [b, 1, 1, total]
    for (int64_t i = 0; i < c.layers; ++i) x = block(tr.pp("h", i), c, i, x, causal, pad_bias, d.cache);
    x = layer_norm(tr.pp("ln_f"), x, {.dim = c.hidden, .eps = c.eps});

    decoder_task_outputs(
        d.oc, x, d.ids,
        {.embedding = tr.pp("wte"), .hidden = c.hidden, .vocab = c.vocab, .pad_token_id = pad_token_id(g.config())});
}

}  // namespace

HFX_PLUGIN("gpt2", "0.1.0") {
    reg.add({.model_type = "gpt2",
             .features = {"default", "default-with-past", "causal-lm", "causal-lm-with-past", "sequence-classification",
                          "token-classification"},
             .reference = "transformers 4.40.2 models/gpt2/modeling_gpt2.py",
             .build = build,
             .tiny_config = R"({"model_type": "gpt2", "vocab_size": 99, "n_embd": 32, "n_layer": 2, "n_head": 4,
                 "n_inner": 37, "n_positions": 64, "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5,
                 "pad_token_id": 98, "bos_token_id": 98, "eos_token_id": 98, "num_labels": 2})"});
}
