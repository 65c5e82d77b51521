// Self-consistency of every decoder model type (DESIGN.md, oracle 3):
//  - the logits of a full-sequence run equal those of a prefix run (past of
//    length 0) followed by with-past steps token by token, for every split;
//  - a sequence's logits are the same alone and left-padded in a batch next to
//    a longer one, without and with the cache.
#include "tests/generate/decoder_support.h"

namespace hfx::test {
namespace {

const std::vector<int64_t> kLong = {17, 4, 99, 23, 61, 8, 140, 77};  // 8 tokens
const std::vector<int64_t> kShort = {33, 12, 250, 9, 41};            // 5 tokens

struct Exports {
    TempDir dir;
    std::unique_ptr<rt::Session> full, past;
    explicit Exports(const std::string& arch) {
        full = std::make_unique<rt::Session>(export_decoder(arch, "causal-lm", dir.path));
        past = std::make_unique<rt::Session>(export_decoder(arch, "causal-lm-with-past", dir.path));
    }
};

Tensor ones(int64_t b, int64_t n) { return i64(std::vector<int64_t>(size_t(b * n), 1), {b, n}); }
Tensor columns(const std::vector<int64_t>& seq, size_t from, size_t to) {
    return i64(std::vector<int64_t>(seq.begin() + long(from), seq.begin() + long(to)), {1, int64_t(to - from)});
}

class DecoderConsistency : public ::testing::TestWithParam<std::string> {};

TEST_P(DecoderConsistency, PrefixThenStepsEqualsFullSequence) {
    Exports e(GetParam());
    const auto& seq = kLong;
    int64_t n = int64_t(seq.size());
    Tensor ref = run_decoder(*e.full, columns(seq, 0, seq.size()), ones(1, n), {}).at("logits");

    for (size_t prefix : {size_t(1), size_t(3), seq.size()}) {
        std::map<std::string, Tensor> past = rt::empty_past(*e.past, 1);  // past of length 0
        size_t at = 0;
        while (at < seq.size()) {
            size_t to = at == 0 ? prefix : at + 1;
            auto outs = run_decoder(*e.past, columns(seq, at, to), ones(1, int64_t(to)), past);
            const Tensor& logits = outs.at("logits");
            ASSERT_EQ(logits.shape[1], int64_t(to - at));
            for (size_t c = at; c < to; ++c)
                EXPECT_EQ(logits_excess(logits, 0, int64_t(c - at), ref, 0, int64_t(c)), 0)
                    << GetParam() << ": prefix " << prefix << ", position " << c;
            past = next_past(outs);
            at = to;
        }
    }
}

TEST_P(DecoderConsistency, LeftPaddingInABatchChangesNothing) {
    Exports e(GetParam());
    int64_t nl = int64_t(kLong.size()), ns = int64_t(kShort.size()), pad = nl - ns;
    Tensor ref_long = run_decoder(*e.full, columns(kLong, 0, kLong.size()), ones(1, nl), {}).at("logits");
    Tensor ref_short = run_decoder(*e.full, columns(kShort, 0, kShort.size()), ones(1, ns), {}).at("logits");

    // Row 0: kShort left-padded to the length of kLong (row 1).
    std::vector<int64_t> ids, mask;
    for (int64_t c = 0; c < nl; ++c)
        ids.push_back(c < pad ? 0 : kShort[size_t(c - pad)]), mask.push_back(c < pad ? 0 : 1);
    ids.insert(ids.end(), kLong.begin(), kLong.end());
    mask.insert(mask.end(), size_t(nl), 1);
    auto check = [&](const Tensor& logits, int64_t first_col, const std::string& what) {
        for (int64_t c = 0; c < logits.shape[1]; ++c) {
            int64_t col = first_col + c;
            EXPECT_EQ(logits_excess(logits, 1, c, ref_long, 0, col), 0)
                << GetParam() << " " << what << ": long, position " << col;
            if (col >= pad)
                EXPECT_EQ(logits_excess(logits, 0, c, ref_short, 0, col - pad), 0)
                    << GetParam() << " " << what << ": padded short, position " << col - pad;
        }
    };
    check(run_decoder(*e.full, i64(ids, {2, nl}), i64(mask, {2, nl}), {}).at("logits"), 0, "no past");

    // With the cache: the padded prefix (past of length 0), then one token at a time.
    int64_t prefix = pad + 2;
    auto cols = [&](const std::vector<int64_t>& t, int64_t from, int64_t to) {
        std::vector<int64_t> out;
        for (int64_t r = 0; r < 2; ++r)
            for (int64_t c = from; c < to; ++c) out.push_back(t[size_t(r * nl + c)]);
        return i64(out, {2, to - from});
    };
    std::map<std::string, Tensor> past = rt::empty_past(*e.past, 2);
    for (int64_t at = 0; at < nl;) {
        int64_t to = at == 0 ? prefix : at + 1;
        auto outs = run_decoder(*e.past, cols(ids, at, to), cols(mask, 0, to), past);
        check(outs.at("logits"), at, "with past");
        past = next_past(outs);
        at = to;
    }
}

INSTANTIATE_TEST_SUITE_P(Decoders, DecoderConsistency, ::testing::ValuesIn(decoder_archs()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace hfx::test
