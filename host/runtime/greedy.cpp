#include "runtime/greedy.h"

#include <algorithm>
#include <limits>

#include "core/error.h"

namespace hfx::rt {

double GenerateResult::tokens_per_second() const {
    size_t n = 0;
    for (const auto& t : tokens) n += t.size();
    return seconds > 0 ? double(n) / seconds : 0;
}

GreedyRows::GreedyRows(int64_t batch, int64_t start_length, const GenerateOptions& o)
    : o_(o), length_(start_length), max_length_(start_length + o.max_new_tokens), begin_index_(start_length),
      done_(size_t(batch), false), tokens_(size_t(batch)) {
    // generate(): the first free pick comes after a forced BOS and after the forced decoder ids.
    if (start_length == 1 && o.forced_bos_token_id >= 0) ++begin_index_;
    if (!o.forced_decoder_ids.empty()) begin_index_ += o.forced_decoder_ids.back().first;
}

bool GreedyRows::is_eos(int64_t token) const {
    return token == o_.eos_token_id ||
           std::find(o_.more_eos_token_ids.begin(), o_.more_eos_token_ids.end(), token) != o_.more_eos_token_ids.end();
}

void GreedyRows::process(float* scores, int64_t vocab) const {
    const float inf = std::numeric_limits<float>::infinity();
    auto check = [&](int64_t token, const char* what) {
        if (token < 0 || token >= vocab)
            fail("option '", what, "': token ", std::to_string(token), " is outside the vocabulary (",
                 std::to_string(vocab), " ids)");
    };
    auto force = [&](int64_t token, const char* what) {
        check(token, what);
        std::fill(scores, scores + vocab, -inf);
        scores[token] = 0;
    };
    auto ban = [&](const std::vector<int64_t>& tokens) {
        for (int64_t t : tokens)
            if (t >= 0 && t < vocab) scores[t] = -inf;
    };
    if (length_ < o_.min_length) {
        if (o_.eos_token_id >= 0 && o_.eos_token_id < vocab) scores[o_.eos_token_id] = -inf;
        ban(o_.more_eos_token_ids);
    }
    if (o_.forced_bos_token_id >= 0 && length_ == 1) force(o_.forced_bos_token_id, "forced_bos_token_id");
    if (o_.forced_eos_token_id >= 0 && length_ == max_length_ - 1) force(o_.forced_eos_token_id, "forced_eos_token_id");
    ban(o_.suppress_tokens);
    if (length_ == begin_index_) ban(o_.begin_suppress_tokens);
    for (const auto& [at, token] : o_.forced_decoder_ids)
        if (at == length_ && token >= 0) force(token, "forced_decoder_ids");
}

std::vector<int64_t> GreedyRows::pick(const Tensor& logits) {
    if (logits.dtype != DType::f32 || logits.shape.size() != 3 || logits.shape[0] != int64_t(done_.size()))
        fail("output 'logits': expected float [", std::to_string(done_.size()), ", sequence, vocab], got ",
             shape_str(logits.shape));
    int64_t b = logits.shape[0], s = logits.shape[1], v = logits.shape[2];
    std::vector<int64_t> next(size_t(b), 0);
    std::vector<float> scores(static_cast<size_t>(v));
    if (o_.output_logits) logits_.push_back(Tensor::empty(DType::f32, {b, v}));
    for (int64_t r = 0; r < b; ++r) {
        const float* row = logits.ptr<float>() + (r * s + s - 1) * v;
        if (o_.output_logits) std::copy_n(row, v, logits_.back().ptr<float>() + r * v);
        std::copy_n(row, v, scores.begin());
        process(scores.data(), v);
        // torch.argmax: the first index on ties
        int64_t token = std::max_element(scores.begin(), scores.end()) - scores.begin();
        if (done_[size_t(r)]) token = o_.pad_token_id;
        else tokens_[size_t(r)].push_back(token);
        if (is_eos(token)) done_[size_t(r)] = true;
        next[size_t(r)] = token;
    }
    ++length_;
    return next;
}

bool GreedyRows::all_done() const {
    return std::all_of(done_.begin(), done_.end(), [](bool d) { return d; });
}

Tensor append_column(const Tensor& t, const std::vector<int64_t>& column) {
    int64_t rows = t.shape[0], cols = t.shape[1];
    Tensor out = Tensor::empty(DType::i64, {rows, cols + 1});
    for (int64_t r = 0; r < rows; ++r) {
        std::copy_n(t.ptr<int64_t>() + r * cols, cols, out.ptr<int64_t>() + r * (cols + 1));
        out.ptr<int64_t>()[r * (cols + 1) + cols] = column[size_t(r)];
    }
    return out;
}

}  // namespace hfx::rt
