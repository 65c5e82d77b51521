// Rotary position embeddings for the decoder family (GPT-J, GPT-NeoX), written
// while blocks/rotary.h (RoFormer's, same API) was being written in parallel:
// when that header is in the tree it is used instead, so the two merge into one.
//
//   RotaryOptions o{.head_dim = 64, .rotary_dim = 16, .style = RotaryStyle::interleaved};
//   RotaryTables t = rotary_tables(position_ids, o);   // cos/sin [b, 1, s, r/2]
//   q = apply_rotary(q, t, o);                          // q [b, heads, s, head_dim]
//
// Styles: `half` pairs feature i with i + r/2 (rotate_half: Llama, GPT-NeoX);
// `interleaved` pairs 2j with 2j+1 (rotate_every_two: GPT-J). Pair j turns by
// position * base^(-2j/r): out_a = a cos - b sin, out_b = b cos + a sin.
#pragma once
#if __has_include("hfx/blocks/rotary.h")
#include "hfx/blocks/rotary.h"
#else
#include <cmath>
#include <vector>

#include "hfx/ops.h"

namespace hfx {

enum class RotaryStyle { half, interleaved };

struct RotaryOptions {
    int64_t head_dim = -1;
    int64_t rotary_dim = -1;  // leading features rotated (partial rotary); -1 = all of head_dim
    double base = 10000.0;    // rope_theta / rotary_emb_base
    RotaryStyle style = RotaryStyle::half;
    int64_t rot() const { return rotary_dim < 0 ? head_dim : rotary_dim; }
};

struct RotaryTables {
    Value cos, sin;  // [b, 1, s, r/2]
};

// 1 / base^(2j/r) for j < r/2, rounded to float32 as torch computes inv_freq.
inline std::vector<float> rotary_inv_freq(const RotaryOptions& o) {
    std::vector<float> inv;
    for (int64_t j = 0, r = o.rot(); j < r; j += 2) inv.push_back(float(1.0 / std::pow(o.base, double(j) / double(r))));
    return inv;
}

// positions [b, s] int64 -> angles position * inv_freq in float32 (as HF's tables) -> cos, sin.
inline RotaryTables rotary_tables(Value positions, const RotaryOptions& o) {
    Graph& g = *positions.g;
    std::vector<float> inv = rotary_inv_freq(o);
    Value angles = unsqueeze(unsqueeze(cast(positions, DT::f32), {-1}) * g.constant_f32(inv, {int64_t(inv.size())}), {-3});
    return {cos(angles), sin(angles)};
}

// x [b, heads, s, head_dim]: rotates the first r features, passes the rest through.
inline Value apply_rotary(Value x, const RotaryTables& t, const RotaryOptions& o) {
    int64_t r = o.rot();
    Value rot = r == o.head_dim ? x : slice(x, -1, 0, r);
    Value out;
    if (o.style == RotaryStyle::half) {
        auto p = split(rot, -1, {r / 2, r / 2});
        out = rot * concat({t.cos, t.cos}, -1) + concat({neg(p[1]), p[0]}, -1) * concat({t.sin, t.sin}, -1);
    } else {
        Value even = slice(rot, -1, 0, r, 2), odd = slice(rot, -1, 1, r, 2);  // [b, h, s, r/2]
        Value a = even * t.cos - odd * t.sin, b = odd * t.cos + even * t.sin;
        out = reshape(concat({unsqueeze(a, {-1}), unsqueeze(b, {-1})}, -1), {0, 0, 0, r});
    }
    return r == o.head_dim ? out : concat({out, slice(x, -1, r, INT64_MAX)}, -1);
}

}  // namespace hfx
#endif
