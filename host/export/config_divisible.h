// Head counts that must divide a width, checked once for every plugin: after a
// build, each (width, heads) or (heads, kv heads) pair of config.json keys that
// the plugin read (graph/build.cpp records every read) must divide exactly, as
// transformers' attention modules require ("hidden_size must be divisible by
// num_heads"). A plugin computing head_dim = hidden / heads would otherwise
// floor it and fail later in a Reshape, or in the ONNX checker, without naming
// a key.
#pragma once
#include <nlohmann/json.hpp>
#include <set>
#include <string>

namespace hfx {

// Throws hfx::Error "config key 'num_attention_heads': 7 does not divide 'hidden_size' (32) (config.json)"
// for the first pair that does not divide. A width pair is skipped when the plugin read an
// explicit head size that config.json sets (head_dim, d_kv, attention_head_size, ...): the
// head size then does not come from the division.
void check_head_divisibility(const nlohmann::json& config, const std::set<std::string>& reads);

}  // namespace hfx
