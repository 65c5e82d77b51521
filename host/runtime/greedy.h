// What every greedy decoder of the runtime shares (the decoder-only Generator
// and the encoder-decoder Seq2SeqGenerator): the options, the result, the
// pick of the next token from the last position's logits after the logits
// processors of transformers' generate() that change a greedy choice, and the
// per-row eos / pad bookkeeping of greedy_search (transformers 4.40.2,
// generation/utils.py and generation/logits_process.py).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace hfx::rt {

struct GenerateOptions {
    int64_t max_new_tokens = 20;
    int64_t eos_token_id = -1;  // a row stops after this token (-1: never)
    int64_t pad_token_id = 0;   // fills left padding, and rows that have stopped
    // Encoder-decoder models: the decoder's first input (config.decoder_start_token_id).
    int64_t decoder_start_token_id = -1;
    // transformers' logits processors, by their generation-config names (-1 / empty: off).
    // "Length" counts the whole decoder sequence: the prompt (decoder-only) or the
    // start token (encoder-decoder) plus what was generated.
    int64_t forced_bos_token_id = -1;      // the token picked when the length is 1 (ForcedBOSTokenLogitsProcessor)
    int64_t forced_eos_token_id = -1;      // the token picked at length max_length - 1 (ForcedEOSTokenLogitsProcessor)
    int64_t min_length = 0;                // no eos while the length is below this (MinLengthLogitsProcessor)
    std::vector<int64_t> suppress_tokens;  // never picked (SuppressTokensLogitsProcessor)
    std::vector<int64_t> begin_suppress_tokens;  // not picked first (SuppressTokensAtBeginLogitsProcessor)
    std::vector<std::pair<int64_t, int64_t>>
        forced_decoder_ids;                   // (length, token; -1: none) (ForceTokensLogitsProcessor)
    std::vector<int64_t> more_eos_token_ids;  // a config's eos_token_id list beyond the first
    bool output_logits = false;  // keep each step's raw last-position logits (generate(output_logits=True))
};

struct GenerateResult {
    std::vector<std::vector<int64_t>> tokens;  // the new tokens of each prompt
    int64_t steps = 0;                         // decoder runs
    int64_t encoder_runs = 0;                  // encoder passes (encoder-decoder models)
    double seconds = 0;                        // wall time of all runs
    std::vector<Tensor> logits;                // with output_logits: [batch, vocab] per step, before processing
    double tokens_per_second() const;          // new tokens (all rows) per second
};

// Greedy bookkeeping of one batch: picks each row's next token from the
// logits of its last position, records it until the row has produced eos,
// and hands back the tokens to feed next (pad_token_id on finished rows, as
// greedy_search does).
class GreedyRows {
public:
    // `start_length`: the decoder sequence length before the first new token.
    GreedyRows(int64_t batch, int64_t start_length, const GenerateOptions& options);

    // logits: [batch, seq, vocab] float; uses logits[:, -1, :].
    std::vector<int64_t> pick(const Tensor& logits);
    bool all_done() const;
    std::vector<std::vector<int64_t>>& tokens() { return tokens_; }
    std::vector<Tensor>& logits() { return logits_; }  // with output_logits

private:
    bool is_eos(int64_t token) const;
    void process(float* scores, int64_t vocab) const;  // the logits processors, in generate()'s order

    const GenerateOptions& o_;
    int64_t length_, max_length_, begin_index_;
    std::vector<bool> done_;
    std::vector<std::vector<int64_t>> tokens_;
    std::vector<Tensor> logits_;
};

// [t, column]: an int64 [rows, cols] tensor with one more column.
Tensor append_column(const Tensor& t, const std::vector<int64_t>& column);

}  // namespace hfx::rt
