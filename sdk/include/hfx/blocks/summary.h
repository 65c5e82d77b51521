// transformers' SequenceSummary (modeling_utils.py, 4.40.2): the pooling head of
// ELECTRA / XLM / Flaubert / XLNet multiple-choice and GPT-2 double heads.
// Configured by the summary_* keys of config.json.
#pragma once
#include <string>

#include "hfx/blocks/heads.h"
#include "hfx/blocks/nn.h"
#include "hfx/config.h"

namespace hfx {

struct SequenceSummaryOptions {
    std::string type = "last";  // summary_type: "last", "first" or "mean"
    int64_t hidden = -1;
    int64_t proj_out = -1;      // summary_use_proj: size of the `summary` Linear (-1: no projection)
    std::string act;            // summary_activation ("" = identity)

    // As SequenceSummary.__init__ reads the config.
    static SequenceSummaryOptions from_config(const Config& c, int64_t hidden_size) {
        SequenceSummaryOptions o;
        o.type = c.s("summary_type", "last");
        o.hidden = hidden_size;
        if (c.b("summary_use_proj", false)) {
            bool to_labels = c.b("summary_proj_to_labels", false) && c.num_labels() > 0;
            o.proj_out = to_labels ? c.num_labels() : hidden_size;
        }
        o.act = c.s("summary_activation", "");
        return o;
    }
};

// vb = "...sequence_summary". hidden [b, s, h] -> [b, proj_out or h]
inline Value sequence_summary(const Weights& vb, Value hidden, const SequenceSummaryOptions& o) {
    auto s = vb.scope();
    Value out;
    if (o.type == "first") out = first_token(hidden);
    else if (o.type == "last") out = gather(hidden, hidden.g->scalar_i64(-1), 1);
    else if (o.type == "mean") out = reduce_mean(hidden, {1}, false);
    else throw Error("config key 'summary_type': '" + o.type + "' is not supported (first, last, mean)");
    if (o.proj_out > 0) out = linear(vb.pp("summary"), out, {.in = o.hidden, .out = o.proj_out});
    if (!o.act.empty()) out = activation(out, o.act);
    return out;
}

}  // namespace hfx
