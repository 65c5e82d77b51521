// BLOOM, following transformers 4.40.2 src/transformers/models/bloom/modeling_bloom.py
// (BloomModel, BloomForCausalLM, BloomForSequenceClassification, BloomForTokenClassification).
// ALiBi from attention_mask instead of positions; the cache in Bloom's own layout:
// key [batch*heads, head_dim, seq], value [batch*heads, seq, head_dim].
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct BloomConfig {
    int64_t hidden, heads, layers, vocab;
    double eps;
    bool residual_post_ln;
    explicit BloomConfig(const Config& c)
        : hidden(c.i("hidden_size", c.i("n_embed", 64))), heads(c.i("n_head")), layers(c.i("n_layer")),
          vocab(c.i("vocab_size")), eps(c.f("layer_norm_epsilon", 1e-5)),
          residual_post_ln(c.b("apply_residual_connection_post_layernorm", false)) {
        bool slow_but_exact = c.b("slow_but_exact", false);  // read either way: it matters only with pretraining_tp > 1
        if (c.i("pretraining_tp", 1) > 1 && slow_but_exact)
            throw Error(
                "config key 'slow_but_exact': the sliced tensor-parallel matmuls are not supported (config.json)");
    }
    int64_t head_dim() const { return hidden / heads; }
};

// build_alibi_tensor: slopes per head (as float32), times ((cumsum(mask) - 1) * mask).
std::vector<float> alibi_slopes(int64_t heads) {
    int64_t closest = int64_t(1) << int64_t(std::floor(std::log2(double(heads))));
    auto slopes_of = [](int64_t n, int64_t first, int64_t count, int64_t step) {
        double base = std::pow(2.0, -std::pow(2.0, -(std::log2(double(n)) - 3)));
        std::vector<float> out;
        for (int64_t p = first, k = 0; k < count; ++k, p += step)
            out.push_back(float(std::pow(double(float(base)), double(p))));
        return out;
    };
    std::vector<float> slopes = slopes_of(closest, 1, closest, 1);
    if (closest != heads) {
        std::vector<float> extra = slopes_of(2 * closest, 1, std::min(closest, heads - closest), 2);
        slopes.insert(slopes.end(), extra.begin(), extra.end());
    }
    return slopes;
}

// [b*h, A, B] <-> [b, h, A, B]
Value unfuse(Value x, int64_t heads) {
    return reshape(x, concat({x.g->constant_i64({-1, heads}), dim(x, 1), dim(x, 2)}, 0));
}
Value fuse(Value x) { return reshape(x, concat({x.g->constant_i64({-1}), dim(x, 2), dim(x, 3)}, 0)); }

// BloomAttention: fused qkv viewed [b, s, heads, 3, d]; scores = alibi + (q k) / sqrt(d);
// masked_fill(finfo.min) where the causal/padding mask hides; out projection.
Value attention(const Weights& vb, const BloomConfig& c, int64_t layer, Value x, Value alibi, Value visible,
                KvCache& cache) {
    auto s = vb.scope();
    int64_t d = c.head_dim();
    Value qkv = linear(vb.pp("query_key_value"), x, {.in = c.hidden, .out = 3 * c.hidden});
    auto parts = split(reshape(qkv, {0, 0, c.heads, 3, d}), 3, {1, 1, 1});
    Value q = fuse(transpose(squeeze(parts[0], {3}), {0, 2, 1, 3}));  // [b*h, new, d]
    Value k = fuse(transpose(squeeze(parts[1], {3}), {0, 2, 3, 1}));  // [b*h, d, new]
    Value v = fuse(transpose(squeeze(parts[2], {3}), {0, 2, 1, 3}));  // [b*h, new, d]
    auto [keys, values] = cache.append(layer, k, v);
    Value scores = unfuse(matmul(q, keys) * float(1.0 / std::sqrt(double(d))) + alibi, c.heads);  // [b, h, new, total]
    Value probs = softmax(where(visible, scores, x.g->scalar(kMaskValue)), -1);
    Value ctx = merge_heads(unfuse(matmul(fuse(probs), values), c.heads));  // [b, new, hidden]
    return linear(vb.pp("dense"), ctx, {.in = c.hidden, .out = c.hidden});
}

// BloomGelu: x * 0.5 * (1 + tanh(0.79788456 * x * (1 + 0.044715 * x * x)))
Value bloom_gelu(Value x) { return x * 0.5f * (tanh(x * 0.79788456f * (x * x * 0.044715f + 1.f)) + 1.f); }

Value block(const Weights& vb, const BloomConfig& c, int64_t i, Value x, Value alibi, Value visible, KvCache& cache) {
    auto s = vb.scope();
    Value ln = layer_norm(vb.pp("input_layernorm"), x, {.dim = c.hidden, .eps = c.eps});
    Value h = attention(vb.pp("self_attention"), c, i, ln, alibi, visible, cache) + (c.residual_post_ln ? ln : x);
    ln = layer_norm(vb.pp("post_attention_layernorm"), h, {.dim = c.hidden, .eps = c.eps});
    Weights mlp = vb.pp("mlp");
    Value up = bloom_gelu(linear(mlp.pp("dense_h_to_4h"), ln, {.in = c.hidden, .out = 4 * c.hidden}));
    return linear(mlp.pp("dense_4h_to_h"), up, {.in = 4 * c.hidden, .out = c.hidden}) + (c.residual_post_ln ? ln : h);
}

void build(Graph& g) {
    BloomConfig c(g.config());
    DecoderInputs d(g, {.vocab_size = c.vocab,
                        .position_ids = false,
                        .past = {c.layers, c.heads, c.head_dim()},
                        .layout = KvLayout::fused_batch_heads});
    Value mask = d.mask;

    Weights tr = Weights::base(g, "transformer", "word_embeddings.weight");
    Value x = embedding(tr.pp("word_embeddings"), d.ids, c.vocab, c.hidden);
    x = layer_norm(tr.pp("word_embeddings_layernorm"), x, {.dim = c.hidden, .eps = c.eps});
    Value alibi = [&] {
        auto s = tr.scope();
        Value offsets = cast(mask_positions(mask) * mask, DT::f32);             // [b, total]
        Value slopes = g.constant_f32(alibi_slopes(c.heads), {1, c.heads, 1});  // [1, h, 1]
        return reshape(slopes * unsqueeze(offsets, {1}),
                       concat({g.constant_i64({-1, 1}), dim(mask, 1)}, 0));  // [b*h, 1, total]
    }();
    Value visible = causal_visible(d.ids, mask);  // _prepare_4d_causal_attention_mask(...).bool() negated
    for (int64_t i = 0; i < c.layers; ++i) x = block(tr.pp("h", i), c, i, x, alibi, visible, d.cache);
    x = layer_norm(tr.pp("ln_f"), x, {.dim = c.hidden, .eps = c.eps});

    decoder_task_outputs(d.oc, x, d.ids,
                         {.embedding = tr.pp("word_embeddings"),
                          .hidden = c.hidden,
                          .vocab = c.vocab,
                          .pad_token_id = pad_token_id(g.config())});
}

}  // namespace

HFX_PLUGIN("bloom", "0.1.0") {
    reg.add({.model_type = "bloom",
             .features = {"default", "default-with-past", "causal-lm", "causal-lm-with-past", "sequence-classification",
                          "token-classification"},
             .reference = "transformers 4.40.2 models/bloom/modeling_bloom.py",
             .build = build,
             .tiny_config = R"({"model_type": "bloom", "vocab_size": 99, "hidden_size": 32, "n_layer": 2, "n_head": 4,
                 "layer_norm_epsilon": 1e-5, "pad_token_id": 3, "bos_token_id": 1, "eos_token_id": 2,
                 "num_labels": 2})"});
}
