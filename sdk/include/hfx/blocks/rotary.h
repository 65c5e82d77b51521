// Rotary position embeddings (RoPE), one block for the encoder (RoFormer) and
// decoder (Llama, Mistral, Qwen2, Gemma, Phi, Falcon, GPT-J, GPT-NeoX) families.
//
//   RotaryOptions o = rotary_config(config, {.head_dim = 64});     // rope_theta, rope_scaling
//   RotaryTables t = rotary_tables(position_ids, o);               // cos/sin [b, 1, s, r/2]
//   q = apply_rotary(q, t, o);                                     // q [b, heads, s, head_dim]
//
// Two steps, as the HF models split them:
//   1. the cos/sin tables for the positions in use, one angle per rotated pair:
//      `rotary_tables(positions, o)` computes them in the graph from the
//      position ids, so sequence lengths and positions stay dynamic; a model
//      that stores its table as a weight (RoFormer's `embed_positions.weight`)
//      gathers the rows itself and builds a RotaryTables;
//   2. `apply_rotary(x, tables, o)` rotates the first rotary_dim features of
//      x [batch, heads, seq, head_dim] and passes the rest through (partial rotary).
//
// The pairing of features is the one real variant between models:
//   - RotaryStyle::half (Llama, GPT-NeoX, Phi, Falcon, ...: `rotate_half`):
//     feature i pairs with i + rotary_dim/2; HF builds cos = cat(freqs, freqs).
//   - RotaryStyle::interleaved (GPT-J, RoFormer: `rotate_every_two`):
//     feature 2i pairs with 2i+1; HF repeats each angle twice (repeat_interleave).
// Either way pair j is rotated by angle theta_j = position * inv_freq[j],
// inv_freq[j] = base^(-2j/rotary_dim):  out_a = a cos - b sin,  out_b = b cos + a sin.
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include "hfx/config.h"
#include "hfx/ops.h"

namespace hfx {

enum class RotaryStyle { half, interleaved };

// rope_scaling {"type": ...} as transformers 4.40.2 implements it.
enum class RotaryScaling {
    none,
    linear,   // LinearScalingRotaryEmbedding: positions / factor
    dynamic,  // DynamicNTKScalingRotaryEmbedding: base grows beyond max_position_embeddings
};

struct RotaryOptions {
    int64_t head_dim = -1;
    int64_t rotary_dim = -1;  // features rotated from the start of each head (partial rotary); -1 = head_dim
    double base = 10000.0;    // rope_theta / rotary_emb_base
    RotaryStyle style = RotaryStyle::half;
    RotaryScaling scaling = RotaryScaling::none;
    double factor = 1.0;                     // rope_scaling.factor
    int64_t max_position_embeddings = 2048;  // dynamic: rescales beyond this length
    std::vector<float> inv_freq;             // computed by the plugin (llama3, yarn, ...); empty = from base
    float attention_factor = 1.0f;           // multiplies cos and sin (yarn's mscale)

    int64_t rot() const { return rotary_dim < 0 ? head_dim : rotary_dim; }
};

// cos/sin of the angle of each rotated pair: [..., seq, rotary_dim/2], broadcast
// against x [batch, heads, seq, head_dim] (give them a heads axis of 1).
struct RotaryTables {
    Value cos, sin;
};

// Reads rope_theta, max_position_embeddings and rope_scaling from config.json
// as LlamaAttention._init_rope does (Phi, Falcon: the same keys); the caller
// gives head_dim, rotary_dim and style.
inline RotaryOptions rotary_config(const Config& c, RotaryOptions o) {
    o.base = c.f("rope_theta", 10000.0);
    o.max_position_embeddings = c.i("max_position_embeddings", 2048);
    if (c.size("rope_scaling")) {
        Config rs = c.sub("rope_scaling");
        std::string type = rs.has("type") ? rs.s("type") : rs.s("rope_type");
        if (type == "linear") o.scaling = RotaryScaling::linear;
        else if (type == "dynamic") o.scaling = RotaryScaling::dynamic;
        else throw Error("config key 'rope_scaling': type '" + type + "' is not supported (linear, dynamic)");
        o.factor = rs.f("factor");
    }
    return o;
}

// inv_freq[j] = 1 / base^(2j / r), as HF computes it in float32: the exponent
// arange(0, r, 2).float() / r is a float32, the power is rounded once to float32
// (an ulp here is a visible angle error at long positions).
inline std::vector<float> rotary_inv_freq(const RotaryOptions& o) {
    if (!o.inv_freq.empty()) return o.inv_freq;
    std::vector<float> inv;
    int64_t r = o.rot();
    for (int64_t j = 0; j < r; j += 2) {
        float e = float(j) / float(r);
        inv.push_back(1.f / float(std::pow(double(float(o.base)), double(e))));
    }
    return inv;
}

// Tables for integer `positions` [batch, seq] -> [batch, 1, seq, r/2]: angles
// position * inv_freq in float32, as HF's rotary embeddings compute them.
inline RotaryTables rotary_tables(Value positions, const RotaryOptions& o) {
    Graph& g = *positions.g;
    int64_t r = o.rot();
    if (r <= 0 || r % 2 || (o.head_dim > 0 && r > o.head_dim))
        throw Error("rotary: rotary dim " + std::to_string(r) + " must be even, positive and at most head_dim " +
                    std::to_string(o.head_dim));
    std::vector<float> inv_values = rotary_inv_freq(o);
    if (int64_t(inv_values.size()) != r / 2)
        throw Error("rotary: " + std::to_string(inv_values.size()) + " inv_freq values for rotary dim " +
                    std::to_string(r));
    Value t = cast(positions, DT::f32);  // [b, s]
    Value inv = g.constant_f32(inv_values, {r / 2});
    if (o.scaling == RotaryScaling::linear) {
        t = t / float(o.factor);
    } else if (o.scaling == RotaryScaling::dynamic) {
        if (!o.inv_freq.empty())
            throw Error("rotary: dynamic scaling recomputes inv_freq from base, not from inv_freq");
        // Beyond max_position_embeddings the base grows with the longest
        // position: base * (f * len / max - (f - 1)) ^ (r / (r - 2)).
        // HF keeps the enlarged inv_freq in the module between calls; the graph
        // recomputes it per call from this call's positions.
        Value len = reduce_max(t, {0, 1}, false) + 1.f;  // scalar
        Value base = pow(len * float(o.factor / double(o.max_position_embeddings)) - float(o.factor - 1.0),
                         float(double(r) / double(r - 2))) *
                     float(o.base);
        std::vector<float> exps;
        for (int64_t j = 0; j < r; j += 2) exps.push_back(float(j) / float(r));
        Value scaled = reciprocal(binary("Pow", base, g.constant_f32(exps)));
        Value longer = greater(len, g.scalar(float(o.max_position_embeddings)));
        inv = where(longer, scaled, inv);
    }
    Value freqs = unsqueeze(t, {-1}) * inv;  // [b, s, r/2]
    Value angles = unsqueeze(freqs, {-3});   // [b, 1, s, r/2]: heads axis
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
