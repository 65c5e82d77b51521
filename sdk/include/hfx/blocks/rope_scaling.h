// rope_scaling types of transformers 4.44.0 (modeling_rope_utils.py and the models' own rotary
// classes) that change the rotary frequencies or the cos/sin tables, as inputs to the rotary
// block (blocks/rotary.h): each function returns what RotaryOptions::inv_freq (and
// attention_factor) should hold. linear and dynamic stay in rotary_config (4.40.2's forms).
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include "hfx/blocks/rotary.h"
#include "hfx/config.h"

namespace hfx {

// {"rope_type": "llama3"} (Llama 3.1 / 3.2), as _compute_llama3_parameters computes it from the
// default inv_freq: wavelengths 2*pi/inv_freq beyond original_max_position_embeddings /
// low_freq_factor are divided by `factor`, those below original / high_freq_factor kept, and
// the band between blended linearly in original / wavelength. Every step in float32 in torch's
// order (its `x / tensor` is reciprocal(tensor) * x), so the table is the one HF builds.
// `rs` is the rope_scaling object; its four keys are required, as HF requires them.
inline std::vector<float> llama3_inv_freq(const RotaryOptions& o, const Config& rs) {
    double factor = rs.f("factor"), low = rs.f("low_freq_factor"), high = rs.f("high_freq_factor");
    double old_len = rs.f("original_max_position_embeddings");
    float low_wavelen = float(old_len / low), high_wavelen = float(old_len / high);
    RotaryOptions plain = o;
    plain.inv_freq.clear();
    std::vector<float> out;
    for (float inv : rotary_inv_freq(plain)) {
        float wavelen = (1.f / inv) * float(2 * M_PI);
        float scaled = wavelen > low_wavelen ? inv / float(factor) : inv;
        float smooth = ((1.f / wavelen) * float(old_len) - float(low)) / float(high - low);
        float smoothed = (1.f - smooth) * scaled / float(factor) + smooth * scaled;
        bool medium = !(wavelen < high_wavelen) && !(wavelen > low_wavelen);
        out.push_back(medium ? smoothed : scaled);
    }
    return out;
}

// Phi-3's {"type": "longrope"} (4.44.0 Phi3LongRoPEScaledRotaryEmbedding; Phi3Config renames
// "su" and "yarn" to it): inv_freq_j = 1 / (factor_j * base^(2j / r)) with long_factor when
// max(position_ids) + 1 > original_max_position_embeddings (over the whole call, as HF decides
// per forward), short_factor otherwise; cos and sin are scaled by
// sqrt(1 + ln(max / original) / ln(original)) when max_position_embeddings > original.
// `c` is the model config (rope_scaling, original_max_position_embeddings,
// max_position_embeddings); positions [b, s] int64.
inline RotaryTables longrope_tables(Value positions, const RotaryOptions& o, const Config& c) {
    Graph& g = *positions.g;
    int64_t r = o.rot();
    double original = c.f("original_max_position_embeddings"), longest = c.f("max_position_embeddings");
    auto inv_freq = [&](const std::string& key) {
        std::string path = "rope_scaling/" + key;
        if (int64_t(c.size(path)) != r / 2)
            throw Error("config key '" + path + "': " + std::to_string(c.size(path)) + " factors, expected " +
                        std::to_string(r / 2) + " (rotary dim / 2)");
        std::vector<float> inv;
        for (int64_t j = 0; j < r / 2; ++j) {
            float e = float(2 * j) / float(r);
            float power = float(std::pow(double(float(o.base)), double(e)));
            inv.push_back(1.f / (float(c.f(path + "/" + std::to_string(j))) * power));
        }
        return inv;
    };
    double scale = longest / original;
    float attention = scale <= 1.0 ? 1.f : float(std::sqrt(1.0 + std::log(scale) / std::log(original)));
    RotaryOptions short_rope = o, long_rope = o;
    short_rope.inv_freq = inv_freq("short_factor");
    long_rope.inv_freq = inv_freq("long_factor");
    short_rope.attention_factor = long_rope.attention_factor = attention;
    RotaryTables s = rotary_tables(positions, short_rope), l = rotary_tables(positions, long_rope);
    Value len = reduce_max(cast(positions, DT::f32), {0, 1}, false) + 1.f;  // scalar
    Value use_long = greater(len, g.scalar(float(original)));
    return {where(use_long, l.cos, s.cos), where(use_long, l.sin, s.sin)};
}

}  // namespace hfx
