// T5's relative position bias (T5Attention.compute_bias and
// _relative_position_bucket, transformers 4.40.2 modeling_t5.py), shared by
// T5, mT5 and LongT5.
#pragma once
#include <cmath>

#include "hfx/blocks/nn.h"

namespace hfx {

struct RelativeBucketOptions {
    bool bidirectional = true;  // encoder: both directions; decoder: only the past
    int64_t num_buckets = 32;
    int64_t max_distance = 128;
};

// relative_position (int64, key - query) -> bucket (int64): exact buckets for
// small distances, logarithmic ones up to max_distance.
inline Value relative_position_bucket(Value relative_position, RelativeBucketOptions o) {
    Graph& g = *relative_position.g;
    int64_t buckets = o.num_buckets;
    Value base = g.scalar_i64(0);
    Value rel;
    if (o.bidirectional) {
        buckets /= 2;
        base = cast(greater(relative_position, g.scalar_i64(0)), DT::i64) * g.scalar_i64(buckets);
        rel = abs(relative_position);
    } else {
        rel = neg(min_i64(relative_position, g.scalar_i64(0)));
    }
    int64_t max_exact = buckets / 2;
    Value is_small = less(rel, g.scalar_i64(max_exact));
    // max_exact + log(rel / max_exact) / log(max_distance / max_exact) * (buckets - max_exact), in float32;
    // rel >= max_exact wherever this branch is taken (the clamp to 1 only keeps log finite elsewhere).
    Value relf = cast(max_i64(rel, g.scalar_i64(1)), DT::f32);
    Value scaled = log(relf / float(max_exact)) / float(std::log(double(o.max_distance) / double(max_exact))) *
                   float(buckets - max_exact);
    Value large = cast(unary("Floor", scaled), DT::i64) + g.scalar_i64(max_exact);
    large = min_i64(large, g.scalar_i64(buckets - 1));
    return base + where(is_small, rel, large);
}

// T5Attention.compute_bias for queries at positions q_start..q_start+q_len-1 and
// keys 0..k_len-1 (int64 scalars): relative_attention_bias [num_buckets, heads]
// -> [1, heads, q_len, k_len].
inline Value relative_position_bias(const Weights& table, Value q_start, Value q_len, Value k_len, int64_t heads,
                                    RelativeBucketOptions o) {
    Graph& g = table.graph();
    auto s = table.scope();
    Value context = unsqueeze(range(q_start, q_start + q_len, g.scalar_i64(1)), {1});  // [q, 1]
    Value memory = unsqueeze(range(g.scalar_i64(0), k_len, g.scalar_i64(1)), {0});     // [1, k]
    Value bucket = relative_position_bucket(memory - context, o);
    Value values = gather(table.get("weight", {o.num_buckets, heads}), bucket, 0);  // [q, k, heads]
    return unsqueeze(transpose(values, {2, 0, 1}), {0});
}

}  // namespace hfx
