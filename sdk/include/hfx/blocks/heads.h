// Task heads shared by the families, and the reshapes around them.
#pragma once
#include <utility>

#include "hfx/blocks/nn.h"

namespace hfx {

// hidden[:, 0]: the first ([CLS]) token. [b, s, h] -> [b, h]
inline Value first_token(Value hidden) { return gather(hidden, hidden.g->scalar_i64(0), 1); }

// multiple-choice runs the body on [batch*choices, ...]: [b, c, s] -> [b*c, s]
inline Value flatten_choices(Value x) { return reshape(x, concat({x.g->constant_i64({-1}), dim(x, 2)}, 0)); }
// ... and folds the per-choice logits back: [b*c, 1] -> [b, c] (choices from `like`, [b, c, s]).
inline Value unflatten_choices(Value logits, Value like) {
    return reshape(logits, concat({logits.g->constant_i64({-1}), dim(like, 1)}, 0));
}

// Question answering: qa_outputs [2, h] -> start_logits, end_logits [b, s].
inline std::pair<Value, Value> qa_head(const Weights& vb, Value hidden, int64_t hidden_size) {
    Value logits = linear(vb, hidden, {.in = hidden_size, .out = 2});
    auto s = vb.scope();
    auto parts = split(logits, -1, {1, 1});
    return {squeeze(parts[0], {-1}), squeeze(parts[1], {-1})};
}

// The LM projection onto the vocabulary with the tied input embedding when the
// checkpoint does not store its own decoder weight (tie_word_embeddings).
inline Value tied_lm_projection(const Weights& decoder, const Weights& embedding, Value x, int64_t hidden,
                                int64_t vocab) {
    auto s = decoder.scope();
    Value w = decoder.has("weight") ? decoder.get("weight", {vocab, hidden}) : embedding.get("weight", {vocab, hidden});
    return matmul(x, transpose(w, {1, 0}));
}

}  // namespace hfx
