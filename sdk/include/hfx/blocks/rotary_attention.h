// The eager self-attention of the Llama-style decoders (LlamaAttention.forward and its copies:
// Starcoder2, OLMo, StableLM, Phi-3) from the point where q, k and v are split into heads:
//
//   RotaryDecoder d(oc);                                       // inputs, positions, mask bias
//   RotaryTables t = rotary_tables(d.positions, rope);
//   ctx = rotary_attention(q, k, v, t, rope, d.cache, {.heads = h, .kv_heads = kv, .head_dim = hd,
//                                                     .layer = i, .bias = d.mask_bias});
//
// Each model keeps its own projections (fused or not, biases, clipping, q/k norms) and what
// comes after the heads are merged (o_proj), so a variant never needs a flag in here.
#pragma once
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <tuple>

#include "hfx/blocks/attention.h"
#include "hfx/blocks/decoder.h"
#include "hfx/blocks/rotary.h"

namespace hfx {

struct RotaryAttentionOptions {
    int64_t heads = -1, kv_heads = -1, head_dim = -1;
    int64_t layer = 0;  // the cache entry of this layer
    Value bias;         // additive mask [b, 1, s, past + s] (causal_bias)
    // Gemma 2: scores = q k^T * scale (query_pre_attn_scalar^-0.5), then softcap * tanh(scores /
    // softcap) before the mask. Unset: q k^T / sqrt(head_dim), no capping.
    std::optional<float> scale, softcap;
};

// q [b, heads, s, d], k and v [b, kv_heads, s, d] -> [b, s, heads * d]: rotary on q and k (the
// first rotary_dim features), the cache (past ++ new), repeat_kv for grouped-query heads, then
// softmax(q k^T / sqrt(d) + bias) v in float32.
inline Value rotary_attention(Value q, Value k, Value v, const RotaryTables& t, const RotaryOptions& rope,
                              KvCache& cache, const RotaryAttentionOptions& o) {
    if (o.heads % o.kv_heads)
        throw Error("config key 'num_key_value_heads': " + std::to_string(o.kv_heads) +
                    " does not divide num_attention_heads " + std::to_string(o.heads));
    q = apply_rotary(q, t, rope);
    k = apply_rotary(k, t, rope);
    std::tie(k, v) = cache.append(o.layer, k, v);  // [b, kv_heads, past + s, d]
    int64_t n_rep = o.heads / o.kv_heads;
    k = repeat_kv(k, o.kv_heads, n_rep, o.head_dim);
    v = repeat_kv(v, o.kv_heads, n_rep, o.head_dim);
    if (!o.scale && !o.softcap)
        return merge_heads(scaled_dot_product(q, k, v, {.head_dim = o.head_dim, .bias = o.bias}));
    Value w = matmul(q, transpose(k, {0, 1, 3, 2}));  // [b, heads, s, past + s]
    w = o.scale ? w * *o.scale : w / float(std::sqrt(double(o.head_dim)));
    if (o.softcap) w = tanh(w / *o.softcap) * *o.softcap;
    return merge_heads(matmul(softmax(w + o.bias, -1), v));
}

// What every such decoder reads before its first layer: the OnnxConfig's inputs, the positions
// (position_ids when the feature takes them, else HF's cache_position past .. past + s - 1), the
// causal + padding mask (optionally with a sliding window, as causal_bias counts it) and the cache.
struct RotaryDecoder {
    std::map<std::string, Value> in;
    Value ids, mask, positions, mask_bias;
    KvCache cache;
    explicit RotaryDecoder(DecoderOnnxConfig& oc, int64_t window = 0)
        : in(oc.declare_inputs()), ids(in.at("input_ids")), mask(in.at("attention_mask")),
          positions(in.count("position_ids") ? in.at("position_ids") : unsqueeze(new_token_positions(ids, mask), {0})),
          mask_bias(causal_bias(ids, mask, window)), cache(oc, in) {}
    RotaryDecoder(const RotaryDecoder&) = delete;  // the cache refers to `in`
};

}  // namespace hfx
