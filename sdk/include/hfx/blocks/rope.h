// Rotary position embeddings in the rotate_half form of Llama and its kin
// (GPT-NeoX, Mistral, Qwen2, Gemma, Phi, Falcon): the head dims are split in
// two halves rather than interleaved pairs (GPT-J / RoFormer: see rotary.h).
// cos/sin are computed in the graph from position_ids, so sequence lengths
// and positions stay dynamic:
//
//   Rope rope = rope_cos_sin(position_ids, {.dim = head_dim, .theta = 10000});
//   q = apply_rope(q, rope);   // q: [batch, heads, seq, head_dim]
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include "hfx/ops.h"

namespace hfx {

struct RopeOptions {
    int64_t dim = -1;       // rotated dims per head (head_dim * partial_rotary_factor), even
    double theta = 10000.0;  // rope_theta, the "base"
    // rope_scaling {"type": "linear" | "dynamic", "factor": f}; "" = none.
    std::string scaling;
    double factor = 1.0;
    int64_t max_position_embeddings = 2048;  // dynamic NTK: rescale beyond this length
};

// cos, sin: [batch, 1, seq, dim], to broadcast over the heads axis.
struct Rope {
    Value cos, sin;
    int64_t dim = -1;
};

// inv_freq = 1 / theta^(arange(0, dim, 2) / dim), as HF computes it in float32.
inline std::vector<float> rope_inv_freq(int64_t dim, double theta) {
    std::vector<float> inv;
    for (int64_t i = 0; i < dim; i += 2) {
        float e = float(i) / float(dim);
        inv.push_back(1.f / float(std::pow(double(float(theta)), double(e))));
    }
    return inv;
}

// LlamaRotaryEmbedding.forward (and its Linear / DynamicNTK scaling
// subclasses): freqs = position_ids ⊗ inv_freq, emb = cat(freqs, freqs).
inline Rope rope_cos_sin(Value position_ids, const RopeOptions& o) {
    Graph& g = *position_ids.g;
    if (o.dim <= 0 || o.dim % 2) throw Error("rope: rotary dim " + std::to_string(o.dim) + " must be even and positive");
    Value pos = cast(position_ids, DT::f32);  // [b, s]
    Value inv = g.constant_f32(rope_inv_freq(o.dim, o.theta));  // [dim/2]
    if (o.scaling == "linear") {
        pos = pos / float(o.factor);
    } else if (o.scaling == "dynamic") {
        // Beyond max_position_embeddings the base grows with the longest
        // position: base * (f * len / max - (f - 1)) ^ (dim / (dim - 2)).
        // HF keeps the enlarged inv_freq in the module between calls; the graph
        // recomputes it per call from this call's positions.
        Value len = reduce_max(pos, {0, 1}, false) + 1.f;  // scalar
        Value base = pow(len * float(o.factor / double(o.max_position_embeddings)) - float(o.factor - 1.0),
                         float(double(o.dim) / double(o.dim - 2))) *
                     float(o.theta);
        std::vector<float> exps;
        for (int64_t i = 0; i < o.dim; i += 2) exps.push_back(float(i) / float(o.dim));
        Value scaled = reciprocal(binary("Pow", base, g.constant_f32(exps)));
        Value longer = greater(len, g.scalar(float(o.max_position_embeddings)));
        inv = where(longer, scaled, inv);
    } else if (!o.scaling.empty()) {
        throw Error("config key 'rope_scaling': type '" + o.scaling + "' is not supported (linear, dynamic)");
    }
    Value freqs = unsqueeze(pos, {-1}) * inv;  // [b, s, dim/2]
    Value emb = unsqueeze(concat({freqs, freqs}, -1), {1});  // [b, 1, s, dim]
    return {cos(emb), sin(emb), o.dim};
}

// Reads rope_theta / rope_scaling from config.json as LlamaAttention._init_rope does.
inline RopeOptions rope_options(const Config& c, int64_t dim) {
    RopeOptions o{.dim = dim, .theta = c.f("rope_theta", 10000.0),
                  .max_position_embeddings = c.i("max_position_embeddings", 2048)};
    if (c.size("rope_scaling")) {
        Config rs = c.sub("rope_scaling");
        o.scaling = rs.has("type") ? rs.s("type") : rs.s("rope_type");
        o.factor = rs.f("factor");
    }
    return o;
}

// rotate_half: cat(-x2, x1) over the halves of the last axis (size `dim`).
inline Value rotate_half(Value x, int64_t dim) {
    Value x1 = slice(x, -1, 0, dim / 2);
    Value x2 = slice(x, -1, dim / 2, dim);
    return concat({neg(x2), x1}, -1);
}

// x * cos + rotate_half(x) * sin on the first rope.dim dims of the last axis;
// the rest pass through (partial rotary, as Phi / GPT-NeoX). x: [b, h, s, head_dim]
inline Value apply_rope(Value x, const Rope& rope, int64_t head_dim) {
    if (rope.dim == head_dim) return x * rope.cos + rotate_half(x, rope.dim) * rope.sin;
    Value rot = slice(x, -1, 0, rope.dim);
    Value pass = slice(x, -1, rope.dim, head_dim);
    return concat({rot * rope.cos + rotate_half(rot, rope.dim) * rope.sin, pass}, -1);
}

}  // namespace hfx
