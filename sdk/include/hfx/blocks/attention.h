// Multi-head attention pieces shared by every family. Layout between steps:
// [batch, heads, seq, head_dim], as the HF eager attention and the past cache.
#pragma once
#include <cmath>
#include <optional>

#include "hfx/ops.h"

namespace hfx {

// [batch, seq, heads*head_dim] -> [batch, heads, seq, head_dim]
inline Value split_heads(Value x, int64_t heads, int64_t head_dim) {
    return transpose(reshape(x, {0, 0, heads, head_dim}), {0, 2, 1, 3});
}

// [batch, heads, seq, head_dim] -> [batch, seq, heads*head_dim]
inline Value merge_heads(Value x) { return reshape(transpose(x, {0, 2, 1, 3}), {0, 0, -1}); }

// Grouped-query attention: [b, kv_heads, s, d] -> [b, kv_heads*n_rep, s, d].
inline Value repeat_kv(Value x, int64_t kv_heads, int64_t n_rep, int64_t head_dim) {
    if (n_rep == 1) return x;
    Graph& g = *x.g;
    Value e = expand(unsqueeze(x, {2}), g.constant_i64({1, 1, n_rep, 1, 1}));
    return reshape(e, {0, kv_heads * n_rep, -1, head_dim});
}

struct AttentionOptions {
    int64_t head_dim = -1;
    std::optional<float> scale;  // default 1/sqrt(head_dim); 1.0 for T5 / GPT-Neo
    std::optional<Value> bias;   // additive, broadcast to [b, h, q, k] (mask, position bias)
    bool scale_query = false;    // scale q before q k^T (BART) instead of the scores after
};

// softmax(q k^T * scale + bias) v, all in [batch, heads, seq, head_dim].
inline Value scaled_dot_product(Value q, Value k, Value v, const AttentionOptions& o) {
    float scale = o.scale ? *o.scale : float(1.0 / std::sqrt(double(o.head_dim)));
    Value scores;
    if (o.scale_query) {
        scores = matmul(scale == 1.f ? q : q * scale, transpose(k, {0, 1, 3, 2}));
    } else {
        scores = matmul(q, transpose(k, {0, 1, 3, 2}));
        if (scale != 1.f) scores = scores / float(1.0 / scale);
    }
    if (o.bias) scores = scores + *o.bias;
    return matmul(softmax(scores, -1), v);
}

// HF's get_extended_attention_mask for an encoder: mask [b, s] (1 = token)
// -> additive bias [b, 1, 1, s] holding 0 or finfo(float32).min.
inline Value padding_bias(Value mask) {
    Value m = unsqueeze(cast(mask, DT::f32), {1, 2});
    return (1.f - m) * kMaskValue;
}

}  // namespace hfx
