// Rotary position embeddings (RoPE), shared by the encoder (RoFormer) and
// decoder (Llama, GPT-J, GPT-NeoX, Phi, ...) families.
//
// Two steps, as the HF models split them:
//   1. the cos/sin tables for the positions in use, each [..., seq, rotary_dim/2]
//      (one angle per rotated pair): `rotary_tables(positions, o)` computes them
//      from base/theta; a model that stores its table as a weight (RoFormer's
//      `embed_positions.weight`) gathers them itself and builds a RotaryTables;
//   2. `apply_rotary(x, tables, o)` rotates the first rotary_dim features of
//      x [batch, heads, seq, head_dim] and passes the rest through.
//
// The pairing of features is the one real variant between models:
//   - RotaryStyle::half (Llama, GPT-NeoX, Phi, Qwen2, ...: `rotate_half`):
//     feature i pairs with i + rotary_dim/2; HF builds cos = cat(freqs, freqs).
//   - RotaryStyle::interleaved (GPT-J, RoFormer, ...: `rotate_every_two`):
//     feature 2i pairs with 2i+1; HF repeats each angle twice (repeat_interleave).
// Either way pair j is rotated by angle theta_j = position * base^(-2j/rotary_dim):
//   out_a = a cos - b sin,  out_b = b cos + a sin.
#pragma once
#include <cmath>
#include <vector>

#include "hfx/ops.h"

namespace hfx {

enum class RotaryStyle { half, interleaved };

struct RotaryOptions {
    int64_t head_dim = -1;
    int64_t rotary_dim = -1;  // features rotated from the start of each head (partial rotary); -1 = head_dim
    double base = 10000.0;    // rope_theta
    RotaryStyle style = RotaryStyle::half;
    // Variants of rope_scaling, for the families that have them:
    double position_scale = 1.0;    // "linear": positions / factor (4.40.2's LinearScalingRotaryEmbedding)
    std::vector<float> inv_freq;    // frequencies a plugin computed itself (llama3, yarn, ...); empty = from base
    float attention_factor = 1.0f;  // multiplies cos and sin (yarn's mscale)

    int64_t rot() const { return rotary_dim < 0 ? head_dim : rotary_dim; }
};

// cos/sin of the angle of each rotated pair: [..., seq, rotary_dim/2], broadcast
// against x [batch, heads, seq, head_dim] (give them a heads axis of 1).
struct RotaryTables {
    Value cos, sin;
};

// The HF inverse frequencies 1 / base^(arange(0, r, 2) / r), in float32 steps as torch computes them
// (an ulp here is a visible angle error at long positions).
inline std::vector<float> rotary_inv_freq(const RotaryOptions& o) {
    if (!o.inv_freq.empty()) return o.inv_freq;
    std::vector<float> inv;
    int64_t r = o.rot();
    for (int64_t j = 0; j < r; j += 2) inv.push_back(1.0f / std::pow(float(o.base), float(j) / float(r)));
    return inv;
}

// Tables for integer `positions` [batch, seq] (or [seq]) -> [batch, 1, seq, r/2] (or [1, 1, seq, r/2]).
// Angles are computed in float32, position * inv_freq, as HF's rotary embeddings do.
inline RotaryTables rotary_tables(Value positions, const RotaryOptions& o) {
    Graph& g = *positions.g;
    std::vector<float> inv = rotary_inv_freq(o);
    int64_t half = int64_t(inv.size());
    Value t = cast(positions, DT::f32);
    if (o.position_scale != 1.0) t = t / float(o.position_scale);
    Value freqs = unsqueeze(t, {-1}) * g.constant_f32(inv, {half});  // [..., seq, r/2]
    Value angles = unsqueeze(freqs, {-3});                             // heads axis
    if (o.attention_factor != 1.0f) return {cos(angles) * o.attention_factor, sin(angles) * o.attention_factor};
    return {cos(angles), sin(angles)};
}

// Rotates x [batch, heads, seq, head_dim] by the tables (see the header comment).
inline Value apply_rotary(Value x, const RotaryTables& t, const RotaryOptions& o) {
    int64_t r = o.rot();
    Value rot = r == o.head_dim ? x : slice(x, -1, 0, r);
    Value out;
    if (o.style == RotaryStyle::half) {
        // x * cat(cos, cos) + rotate_half(x) * cat(sin, sin), rotate_half(x) = cat(-x2, x1)
        auto parts = split(rot, -1, {r / 2, r / 2});
        Value cos2 = concat({t.cos, t.cos}, -1), sin2 = concat({t.sin, t.sin}, -1);
        out = rot * cos2 + concat({neg(parts[1]), parts[0]}, -1) * sin2;
    } else {
        // pairs (x[2j], x[2j+1]): x * repeat_interleave(cos) + rotate_every_two(x) * repeat_interleave(sin)
        Value even = slice(rot, -1, 0, r, 2), odd = slice(rot, -1, 1, r, 2);  // [b, h, s, r/2]
        Value out_even = even * t.cos - odd * t.sin;
        Value out_odd = odd * t.cos + even * t.sin;
        out = reshape(concat({unsqueeze(out_even, {-1}), unsqueeze(out_odd, {-1})}, -1), {0, 0, 0, r});
    }
    return r == o.head_dim ? out : concat({out, slice(x, -1, r, INT64_MAX)}, -1);
}

}  // namespace hfx
