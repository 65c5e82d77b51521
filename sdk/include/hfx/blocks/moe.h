// Mixture-of-experts routing without data-dependent control flow: HF picks each token's top-k
// experts with torch.topk and runs every expert on the tokens routed to it (a Python loop over
// experts with torch.where); the graph instead runs every expert on every token and weights
// the results by a dense [..., experts] routing matrix that is zero for the experts not picked.
// The same numbers for every batch size and sequence length, at experts/k times the MLP work.
//
//   Value w = top_k_routing(softmax(linear(gate, x)), {.experts = 8, .k = 2, .normalize = true});
//   Value y = mix_experts(w, 8, [&](int64_t e) { return expert_mlp(vb.pp("experts", e), x); });
#pragma once
#include <functional>

#include "hfx/ops.h"

namespace hfx {

struct TopKRoutingOptions {
    int64_t experts = -1;    // size of the last axis of `probs`
    int64_t k = 2;           // num_experts_per_tok
    bool normalize = false;  // divide the kept weights by their sum (Mixtral; Qwen2-MoE's norm_topk_prob)
};

// probs [..., experts] (non-negative) -> [..., experts]: the k largest entries of each row kept,
// the rest zero. Picked one at a time by ArgMax (the first index on ties), so no TopK op.
inline Value top_k_routing(Value probs, const TopKRoutingOptions& o) {
    Graph& g = *probs.g;
    if (o.k < 1 || o.k > o.experts)
        throw Error("config key 'num_experts_per_tok': " + std::to_string(o.k) + " must be in 1.." +
                    std::to_string(o.experts) + " (the number of experts)");
    Value ids = range(g.scalar_i64(0), g.scalar_i64(o.experts), g.scalar_i64(1));  // [experts]
    Value remaining = probs, picked;
    for (int64_t i = 0; i < o.k; ++i) {
        Value one = equal(ids, argmax(remaining, -1, true));  // [..., experts] bool
        picked = i == 0 ? one : logical_or(picked, one);
        remaining = where(one, g.scalar(-1.f), remaining);  // below every probability
    }
    Value w = where(picked, probs, g.scalar(0.f));
    return o.normalize ? w / reduce_sum(w, {-1}) : w;
}

// sum_e weights[..., e] * expert(e), in expert order (HF's index_add_ order).
// weights [..., experts]; expert(e) [..., hidden].
inline Value mix_experts(Value weights, int64_t experts, const std::function<Value(int64_t)>& expert) {
    Value out;
    for (int64_t e = 0; e < experts; ++e) {
        Value y = expert(e) * slice(weights, -1, e, e + 1);
        out = e == 0 ? y : out + y;
    }
    return out;
}

}  // namespace hfx
