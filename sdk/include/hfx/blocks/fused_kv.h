// A decoder cache stored as one tensor per layer, keys and values side by side on the last axis:
// past_key_values.<i>.key_value -> present.<i>.key_value, [batch, past_sequence, 2 * head_dim]
// (GPTBigCode with multi_query, as optimum exports it and transformers.js reads it). The
// DecoderOnnxConfig of such a model is FusedKvDecoderOnnxConfig; append_fused_kv replaces
// KvCache::append.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "hfx/blocks/decoder.h"

namespace hfx {

class FusedKvDecoderOnnxConfig : public DecoderOnnxConfig {
public:
    using DecoderOnnxConfig::DecoderOnnxConfig;
    std::vector<IO> inputs() const override { return fused(DecoderOnnxConfig::inputs(), true); }
    std::vector<IO> outputs() const override { return fused(DecoderOnnxConfig::outputs(), false); }

private:
    // The base's .key / .value entries replaced by one .key_value per layer, in their place.
    std::vector<IO> fused(std::vector<IO> io, bool in) const {
        std::string prefix = in ? "past_key_values." : "present.",
                    seq = in ? "past_sequence" : "past_sequence + sequence";
        std::vector<IO> out;
        for (IO& e : io) {
            if (e.name.rfind(prefix, 0) != 0) out.push_back(std::move(e));
            else if (e.name.size() > 4 && e.name.compare(e.name.size() - 4, 4, ".key") == 0)
                out.push_back(IO{e.name + "_value",
                                 DT::f32,
                                 {"batch", seq, std::to_string(2 * past_shape().head_dim)},
                                 HFX_DUMMY_NORMAL});
        }
        return out;
    }
};

// kv [batch, new, 2 * head_dim] -> past ++ kv on the sequence axis, declared as present.<layer>.key_value.
inline Value append_fused_kv(FusedKvDecoderOnnxConfig& oc, std::map<std::string, Value>& inputs, int64_t layer,
                             Value kv) {
    if (!oc.use_past()) return kv;
    std::string i = std::to_string(layer);
    Value all = concat({inputs.at("past_key_values." + i + ".key_value"), kv}, 1);
    oc.output("present." + i + ".key_value", all);
    return all;
}

}  // namespace hfx
