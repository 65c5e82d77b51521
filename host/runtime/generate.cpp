#include "runtime/generate.h"

#include <algorithm>
#include <chrono>

#include "core/error.h"
#include "onnx/dims.h"

namespace hfx::rt {
namespace {

const std::string kPast = "past_key_values.", kPresent = "present.";

bool starts_with(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }

// cumsum(mask) - 1 per row, 1 where the mask is 0: transformers' generate().
}  // namespace

Tensor generate_positions(const Tensor& mask) {
    Tensor t = Tensor::empty(DType::i64, mask.shape);
    int64_t cols = mask.shape[1];
    for (int64_t r = 0; r < mask.shape[0]; ++r) {
        int64_t sum = 0;
        for (int64_t c = 0; c < cols; ++c) {
            int64_t m = mask.ptr<int64_t>()[r * cols + c];
            sum += m;
            t.ptr<int64_t>()[r * cols + c] = m ? sum - 1 : 1;
        }
    }
    return t;
}

std::map<std::string, Tensor> empty_past(const Session& session, int64_t batch) {
    std::map<std::string, Tensor> past;
    DimBindings dims{{"batch", batch}, {"past_sequence", 0}};
    for (const ValueInfo& in : session.model().inputs) {
        if (!starts_with(in.name, kPast)) continue;
        Shape shape;
        for (const Dim& d : in.dims) shape.push_back(resolve_dim(d, dims));
        past[in.name] = Tensor::empty(in.dtype, shape);
    }
    return past;
}

namespace {

// The last `n` columns of a [rows, cols] int64 tensor.
Tensor last_columns(const Tensor& t, int64_t n) {
    int64_t rows = t.shape[0], cols = t.shape[1];
    Tensor out = Tensor::empty(DType::i64, {rows, n});
    for (int64_t r = 0; r < rows; ++r)
        std::copy_n(t.ptr<int64_t>() + r * cols + cols - n, n, out.ptr<int64_t>() + r * n);
    return out;
}

}  // namespace

PaddedBatch pad_prompts(const std::vector<std::vector<int64_t>>& prompts, int64_t pad_token_id, PadSide side) {
    if (prompts.empty()) fail("prompts: none given");
    size_t longest = 0;
    for (const auto& p : prompts) {
        if (p.empty()) fail("prompt: empty (give at least one token id)");
        longest = std::max(longest, p.size());
    }
    int64_t b = int64_t(prompts.size()), s = int64_t(longest);
    PaddedBatch out{Tensor::empty(DType::i64, {b, s}), Tensor::empty(DType::i64, {b, s}), {}};
    for (int64_t r = 0; r < b; ++r) {
        const auto& p = prompts[size_t(r)];
        int64_t first = side == PadSide::left ? s - int64_t(p.size()) : 0;  // where the real tokens start
        for (int64_t c = 0; c < s; ++c) {
            bool real = c >= first && c < first + int64_t(p.size());
            out.input_ids.ptr<int64_t>()[r * s + c] = real ? p[size_t(c - first)] : pad_token_id;
            out.attention_mask.ptr<int64_t>()[r * s + c] = real ? 1 : 0;
        }
    }
    if (side == PadSide::left) out.position_ids = generate_positions(out.attention_mask);
    return out;
}

Generator::Generator(const std::string& onnx_path, SessionOptions options) : session_(onnx_path, options) { inspect(); }
Generator::Generator(Session session) : session_(std::move(session)) { inspect(); }

void Generator::inspect() {
    std::vector<std::string> outs = session_.output_names();
    if (std::find(outs.begin(), outs.end(), "logits") == outs.end())
        fail("model: no 'logits' output (export the causal-lm or causal-lm-with-past feature)");
    for (const std::string& n : session_.input_names()) {
        if (starts_with(n, kPast)) {
            uses_cache_ = true;
            if (std::find(outs.begin(), outs.end(), kPresent + n.substr(kPast.size())) == outs.end())
                fail("input '", n, "': no matching '", kPresent, n.substr(kPast.size()), "' output");
        } else if (n == "position_ids") takes_positions_ = true;
        else if (n != "input_ids" && n != "attention_mask")
            fail("input '", n, "': not a decoder input generate() can feed");
    }
}

GenerateResult Generator::greedy(const std::vector<std::vector<int64_t>>& prompts, const GenerateOptions& o) {
    PaddedBatch batch = pad_prompts(prompts, o.pad_token_id, PadSide::left);
    int64_t b = batch.input_ids.shape[0];
    Tensor ids = batch.input_ids, mask = batch.attention_mask;  // the whole sequence so far
    Tensor fresh = ids;                                         // what the next run sees (with a cache)
    std::map<std::string, Tensor> past;
    if (uses_cache_) past = empty_past(session_, b);
    std::vector<std::string> names = session_.output_names();
    size_t logits_at = size_t(std::find(names.begin(), names.end(), "logits") - names.begin());

    GenerateResult result;
    GreedyRows rows(b, ids.shape[1], o);
    auto t0 = std::chrono::steady_clock::now();
    for (int64_t step = 0; step < o.max_new_tokens; ++step) {
        std::map<std::string, Tensor> feeds = past;
        Tensor positions = generate_positions(mask);
        feeds["input_ids"] = uses_cache_ ? fresh : ids;
        feeds["attention_mask"] = mask;
        if (takes_positions_) feeds["position_ids"] = uses_cache_ ? last_columns(positions, fresh.shape[1]) : positions;
        std::vector<Tensor> outs = session_.run(names, feeds);
        ++result.steps;
        std::vector<int64_t> next = rows.pick(outs[logits_at]);
        if (uses_cache_)
            for (size_t k = 0; k < names.size(); ++k)
                if (starts_with(names[k], kPresent)) past[kPast + names[k].substr(kPresent.size())] = outs[k];
        // Append the new column to ids and mask (finished rows keep mask 1, as generate() does).
        ids = append_column(ids, next);
        mask = append_column(mask, std::vector<int64_t>(size_t(b), 1));
        fresh = Tensor::from(DType::i64, {b, 1}, next);
        if (rows.all_done()) break;
    }
    result.tokens = std::move(rows.tokens());
    result.logits = std::move(rows.logits());
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return result;
}

}  // namespace hfx::rt
