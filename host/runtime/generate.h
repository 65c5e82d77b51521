// Greedy decoding with a causal-lm ONNX export in the hfexport runtime.
//
//   hfx::rt::Generator gen("out/model.onnx");            // causal-lm-with-past (or causal-lm)
//   auto r = gen.greedy({{1, 2, 3}}, {.max_new_tokens = 8});
//   r.tokens[0]  // the 8 new token ids
//
// A `-with-past` export is fed its own present.* back as past_key_values.*,
// starting from a past of length 0 (the same file runs the prompt and every
// step); a plain causal-lm export re-runs the whole sequence each step. Inputs
// follow transformers' generate(): prompts left padded, attention_mask 1 on
// real tokens, position_ids = cumsum(attention_mask) - 1 (1 on padding) when
// the model takes them, the argmax of the last position's logits (after the
// logits processors GenerateOptions turns on; runtime/greedy.h).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "runtime/greedy.h"
#include "runtime/session.h"

namespace hfx::rt {

class Generator {
public:
    explicit Generator(const std::string& onnx_path, SessionOptions options = {});
    explicit Generator(Session session);

    bool uses_cache() const { return uses_cache_; }
    Session& session() { return session_; }

    // Greedy decoding of a batch of prompts (each at least one token).
    GenerateResult greedy(const std::vector<std::vector<int64_t>>& prompts, const GenerateOptions& options);

private:
    void inspect();
    Session session_;
    bool uses_cache_ = false, takes_positions_ = false;
};

// Prompts padded to the longest with `pad_token_id`, attention_mask 1 on real tokens.
// transformers' generate() left-pads decoder-only prompts (and feeds positions
// cumsum(mask) - 1, 1 on padding); encoder prompts are right-padded (no positions).
struct PaddedBatch {
    Tensor input_ids, attention_mask, position_ids;  // int64 [batch, longest]
};
enum class PadSide { left, right };
PaddedBatch pad_prompts(const std::vector<std::vector<int64_t>>& prompts, int64_t pad_token_id, PadSide side);

// cumsum(mask) - 1 per row of an int64 [batch, seq] mask, 1 where the mask is 0.
Tensor generate_positions(const Tensor& attention_mask);

// Every past_key_values.* input of `session` with a past of length 0 (the first step).
std::map<std::string, Tensor> empty_past(const Session& session, int64_t batch);

}  // namespace hfx::rt
