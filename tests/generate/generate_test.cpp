// hfexport generate: greedy decoding with the KV cache reproduces the tokens of
// full-sequence argmax decoding (the causal-lm export re-run on the whole
// sequence every step), for one prompt, a left-padded batch, and the CLI.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/generate/decoder_support.h"
#include "validate/dummy_inputs.h"

namespace hfx::test {
namespace {

// Reference: one prompt, no padding, the no-past export on the whole sequence, argmax of the last row.
std::vector<int64_t> full_sequence_argmax(rt::Session& s, std::vector<int64_t> seq, int64_t new_tokens) {
    std::vector<int64_t> out;
    for (int64_t step = 0; step < new_tokens; ++step) {
        int64_t n = int64_t(seq.size());
        auto outs = run_decoder(s, i64(seq, {1, n}), i64(std::vector<int64_t>(size_t(n), 1), {1, n}), {});
        const Tensor& logits = outs.at("logits");
        int64_t v = logits.shape[2];
        const float* row = logits.ptr<float>() + (n - 1) * v;
        int64_t best = 0;
        for (int64_t k = 1; k < v; ++k)
            if (row[k] > row[best]) best = k;
        out.push_back(best);
        seq.push_back(best);
    }
    return out;
}

class Generate : public ::testing::TestWithParam<std::string> {};

TEST_P(Generate, CacheReproducesFullSequenceArgmax) {
    const std::string arch = GetParam();
    TempDir dir;
    std::string no_past_path = export_decoder(arch, "causal-lm", dir.path);
    rt::Session full(no_past_path);
    rt::Generator with_past(export_decoder(arch, "causal-lm-with-past", dir.path));
    ASSERT_TRUE(with_past.uses_cache());

    const std::vector<std::vector<int64_t>> prompts = {{5, 6, 7}, {9, 10, 11, 12, 13, 14}};
    const int64_t n = 10;
    std::vector<std::vector<int64_t>> expected;
    for (const auto& p : prompts) expected.push_back(full_sequence_argmax(full, p, n));

    // Each prompt alone (a past of length 0 on the first step) ...
    for (size_t k = 0; k < prompts.size(); ++k) {
        rt::GenerateResult r = with_past.greedy({prompts[k]}, {.max_new_tokens = n});
        EXPECT_EQ(r.tokens.at(0), expected[k]) << arch << " prompt " << k;
        EXPECT_EQ(r.steps, n);
    }
    // ... and both in one left-padded batch.
    rt::GenerateResult batch = with_past.greedy(prompts, {.max_new_tokens = n, .pad_token_id = 0});
    EXPECT_EQ(batch.tokens, expected) << arch << " (left-padded batch)";

    // The no-cache path of the same library agrees too.
    rt::Generator no_cache(no_past_path);
    EXPECT_FALSE(no_cache.uses_cache());
    EXPECT_EQ(no_cache.greedy(prompts, {.max_new_tokens = n}).tokens, expected) << arch << " (no cache)";
}

TEST_P(Generate, StopsAtEos) {
    const std::string arch = GetParam();
    TempDir dir;
    rt::Generator gen(export_decoder(arch, "causal-lm-with-past", dir.path));
    std::vector<int64_t> free_run = gen.greedy({{5, 6, 7}}, {.max_new_tokens = 6}).tokens.at(0);
    rt::GenerateResult r = gen.greedy({{5, 6, 7}}, {.max_new_tokens = 6, .eos_token_id = free_run.at(2)});
    // Ends at the first occurrence of the eos token, which is kept.
    size_t first = size_t(std::find(free_run.begin(), free_run.end(), free_run[2]) - free_run.begin());
    EXPECT_EQ(r.tokens.at(0), std::vector<int64_t>(free_run.begin(), free_run.begin() + first + 1));
}

INSTANTIATE_TEST_SUITE_P(Decoders, Generate, ::testing::ValuesIn(decoder_archs()),
                         [](const auto& info) { return info.param; });

// The first step's past has length 0 in the model's own layout; Bloom's fused
// axis is named batch*<heads>, which the dummy-input and past code multiply out.
TEST(GeneratePast, EmptyPastFollowsTheCacheLayout) {
    EXPECT_EQ(resolve_dim(Dim{-1, "batch*4"}, {{"batch", 3}}), 12);
    EXPECT_EQ(resolve_dim(Dim{-1, "past_sequence + sequence"}, {{"past_sequence", 4}, {"sequence", 9}}), 13);
    EXPECT_EQ(resolve_dim(Dim{-1, "2 * batch + 1"}, {{"batch", 3}}), 7);
    TempDir dir;
    rt::Session bloom(export_decoder("bloom", "causal-lm-with-past", dir.path));
    auto past = rt::empty_past(bloom, 3);
    EXPECT_EQ(past.at("past_key_values.0.key").shape, (Shape{12, 8, 0}));
    EXPECT_EQ(past.at("past_key_values.1.value").shape, (Shape{12, 0, 8}));
    rt::Session gpt2(export_decoder("gpt2", "causal-lm-with-past", dir.path));
    EXPECT_EQ(rt::empty_past(gpt2, 3).at("past_key_values.1.key").shape, (Shape{3, 4, 0, 8}));
}

TEST(GenerateCli, CheckpointFolderPrintsTokensAndRate) {
    TempDir dir;
    rt::Session full(export_decoder("gpt2", "causal-lm", dir.path));
    std::vector<int64_t> expected = full_sequence_argmax(full, {5, 6, 7}, 5);

    std::string cmd = std::string(HFX_EXE) + " -q generate " + HFX_FIXTURES_DIR + "/gpt2/causal-lm" +
                      " --input-ids 5,6,7 --max-new-tokens 5 --json 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    ASSERT_NE(p, nullptr);
    std::string text;
    char buf[4096];
    while (size_t got = std::fread(buf, 1, sizeof(buf), p)) text.append(buf, got);
    ASSERT_EQ(::pclose(p), 0) << text;
    auto j = nlohmann::json::parse(text);
    EXPECT_EQ(j["tokens"][0].get<std::vector<int64_t>>(), expected);
    EXPECT_TRUE(j["cache"].get<bool>());
    EXPECT_GT(j["tokens_per_second"].get<double>(), 0);

    cmd = std::string(HFX_EXE) + " -q generate " + HFX_FIXTURES_DIR + "/gpt2/causal-lm --input-ids 5,x 2>&1";
    p = ::popen(cmd.c_str(), "r");
    text.clear();
    while (size_t got = std::fread(buf, 1, sizeof(buf), p)) text.append(buf, got);
    EXPECT_NE(::pclose(p), 0);
    EXPECT_NE(text.find("option '--input-ids': 'x' is not a token id"), std::string::npos) << text;
}

// As transformers' generate(): the eos token of the model's generation config ends a row
// (the token is kept); --eos-token-id overrides it, -1 never stops early.
TEST(GenerateCli, StopsAtTheConfigsEosToken) {
    TempDir dir;
    rt::Session full(export_decoder("gpt2", "causal-lm", dir.path));
    std::vector<int64_t> free_run = full_sequence_argmax(full, {5, 6, 7}, 5);
    std::string ckpt = dir.path + "/ckpt";
    std::filesystem::copy(std::string(HFX_FIXTURES_DIR) + "/gpt2/causal-lm", ckpt);
    std::ofstream(ckpt + "/generation_config.json")
        << "{\"eos_token_id\": " << free_run.at(1) << ", \"pad_token_id\": 0}";
    auto tokens = [&](const std::string& extra) {
        std::string cmd = std::string(HFX_EXE) + " -q generate " + ckpt +
                          " --input-ids 5,6,7 --max-new-tokens 5 --json " + extra + " 2>&1";
        FILE* p = ::popen(cmd.c_str(), "r");
        std::string text;
        char buf[4096];
        while (size_t got = std::fread(buf, 1, sizeof(buf), p)) text.append(buf, got);
        EXPECT_EQ(::pclose(p), 0) << text;
        return nlohmann::json::parse(text)["tokens"][0].get<std::vector<int64_t>>();
    };
    size_t first_eos = size_t(std::find(free_run.begin(), free_run.end(), free_run.at(1)) - free_run.begin());
    EXPECT_EQ(tokens(""), std::vector<int64_t>(free_run.begin(), free_run.begin() + long(first_eos) + 1));
    EXPECT_EQ(tokens("--eos-token-id -1"), free_run);
}

}  // namespace
}  // namespace hfx::test
