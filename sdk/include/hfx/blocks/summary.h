// HF's SequenceSummary (modeling_utils.py): the pooled vector that XLM,
// Flaubert, RoFormer, ConvBERT, XLNet and GPT-2's double heads classify.
// It reads summary_* keys of config.json with the HF defaults.
#pragma once
#include <string>

#include "hfx/blocks/heads.h"
#include "hfx/blocks/nn.h"
#include "hfx/config.h"

namespace hfx {

struct SequenceSummaryOptions {
    std::string type = "last";  // summary_type: last | first | mean
    bool use_proj = false;      // summary_use_proj: Linear under `<prefix>.summary`
    int64_t hidden = -1;
    int64_t proj_out = -1;   // num_labels when summary_proj_to_labels, else hidden
    std::string activation;  // summary_activation ("tanh", ...; empty = identity)

    // The options SequenceSummary(config) derives from config.json.
    static SequenceSummaryOptions from(const Config& c, int64_t hidden) {
        SequenceSummaryOptions o;
        o.type = c.s("summary_type", "last");
        o.use_proj = c.b("summary_use_proj", false);
        o.hidden = hidden;
        int64_t labels = c.num_labels();
        o.proj_out = c.b("summary_proj_to_labels", false) && labels > 0 ? labels : hidden;
        o.activation = c.s("summary_activation", "");
        return o;
    }
};

// hidden [b, s, h] -> [b, proj_out or h]; `vb` is the SequenceSummary module.
inline Value sequence_summary(const Weights& vb, Value hidden, const SequenceSummaryOptions& o) {
    auto s = vb.scope();
    Value out;
    if (o.type == "last") {
        out = squeeze(slice(hidden, 1, -1, INT64_MAX), {1});
        hidden.g->set_property("padding_invariant",
                               "false: SequenceSummary 'last' pools the last position, padding included, as HF does");
    } else if (o.type == "first") out = first_token(hidden);
    else if (o.type == "mean") out = reduce_mean(hidden, {1}, false);
    else throw Error("config key 'summary_type': '" + o.type + "' is not supported");
    if (o.use_proj) out = linear(vb.pp("summary"), out, {.in = o.hidden, .out = o.proj_out});
    if (!o.activation.empty()) out = activation(out, o.activation);
    return out;
}

}  // namespace hfx
