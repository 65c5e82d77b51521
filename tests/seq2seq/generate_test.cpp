// hfexport generate for encoder-decoder exports: greedy decoding in optimum's
// split layout with the cache (the encoder runs once, the cross-attention
// cache of the first step is reused) gives exactly the tokens of argmax
// decoding that re-runs the whole transformers.onnx seq2seq-lm model.onnx
// on the full decoder sequence every step; for one prompt, a right-padded
// batch of two, the split layout without past and the single file; eos, pad
// and transformers' forced BOS / EOS tokens; the generation settings read from
// the checkpoint; the CLI; and one-line errors.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "checkpoint/checkpoint.h"
#include "checkpoint/safetensors_write.h"
#include "core/error.h"
#include "export/exporter.h"
#include "export/split.h"
#include "runtime/generation_config.h"
#include "runtime/seq2seq_generate.h"
#include "support/cli_run.h"
#include "support/golden.h"
#include "validate/ort_oracle.h"

namespace fs = std::filesystem;

namespace hfx::test {
namespace {

std::string fixture(const std::string& arch) {
    return std::string(HFX_FIXTURES_DIR) + "/" + arch + "/" + (arch == "whisper" ? "speech2seq-lm" : "seq2seq-lm");
}
std::string feature(const std::string& arch) { return arch == "whisper" ? "speech2seq-lm" : "seq2seq-lm"; }

// One checkpoint exported three ways: split with past, split without, single model.onnx without past.
struct Exports {
    TempDir dir;
    std::string split, split_no_past, single;
    explicit Exports(const std::string& arch) {
        Checkpoint ckpt = Checkpoint::open(fixture(arch));
        std::ostringstream log;
        split = dir.path + "/split", split_no_past = dir.path + "/split-no-past",
        single = dir.path + "/single/model.onnx";
        export_split(plugin_registry(), ckpt, feature(arch) + "-with-past", split, {}, log);
        export_split(plugin_registry(), ckpt, feature(arch), split_no_past, {}, log);
        write_export(build_model(plugin_registry(), ckpt, feature(arch)), ckpt, resolve_output_path(single), {});
    }
};

Exports& exports(const std::string& arch) {
    static std::map<std::string, std::unique_ptr<Exports>> cache;
    auto& e = cache[arch];
    if (!e) e = std::make_unique<Exports>(arch);
    return *e;
}

Tensor i64(std::vector<int64_t> v, Shape s) { return Tensor::from(DType::i64, std::move(s), v); }

// Row r of a [batch, ...] tensor as a [1, ...] tensor.
Tensor row(const Tensor& t, int64_t r) {
    Shape s = t.shape;
    s[0] = 1;
    Tensor out = Tensor::empty(t.dtype, s);
    std::memcpy(out.data, static_cast<const char*>(t.data) + size_t(r) * out.nbytes(), out.nbytes());
    return out;
}

// The encoder inputs of each test row: text prompts of different lengths, or the fixture's audio rows.
struct Rows {
    std::vector<std::vector<int64_t>> prompts;
    Tensor features;  // [2, mel, frames] for Whisper
};
Rows rows_of(const std::string& arch) {
    if (arch == "whisper") return {{}, read_safetensors(fixture(arch) + "/golden.safetensors").at("input_features")};
    // No pad ids inside the prompts (M2M100's positions skip them); each ends with a token like eos.
    return {{{5, 6, 7, 8, 9, 10, 2}, {11, 12, 2}}, {}};
}
int64_t count(const Rows& r) { return r.prompts.empty() ? r.features.shape[0] : int64_t(r.prompts.size()); }

// Reference: argmax decoding by re-running the single no-past model.onnx on the whole decoder
// sequence for one row (no padding anywhere), starting from `prefix`, without any logits processor.
struct Reference {
    std::vector<int64_t> tokens;
    std::vector<std::vector<float>> logits;  // the last position's, per step
};
Reference full_sequence_run(rt::Session& s, const Rows& rows, int64_t r, std::vector<int64_t> prefix,
                            int64_t new_tokens) {
    std::map<std::string, Tensor> feeds;
    if (rows.prompts.empty()) {
        feeds["input_features"] = row(rows.features, r);
    } else {
        const auto& p = rows.prompts[size_t(r)];
        int64_t n = int64_t(p.size());
        feeds["input_ids"] = i64(p, {1, n});
        feeds["attention_mask"] = i64(std::vector<int64_t>(size_t(n), 1), {1, n});
    }
    Reference out;
    for (int64_t step = 0; step < new_tokens; ++step) {
        feeds["decoder_input_ids"] = i64(prefix, {1, int64_t(prefix.size())});
        Tensor logits = s.run({"logits"}, feeds)[0];
        int64_t v = logits.shape[2];
        const float* last = logits.ptr<float>() + (logits.shape[1] - 1) * v;
        int64_t best = std::max_element(last, last + v) - last;
        out.tokens.push_back(best);
        out.logits.emplace_back(last, last + v);
        prefix.push_back(best);
    }
    return out;
}
std::vector<int64_t> full_sequence_argmax(rt::Session& s, const Rows& rows, int64_t r, std::vector<int64_t> prefix,
                                          int64_t new_tokens) {
    return full_sequence_run(s, rows, r, std::move(prefix), new_tokens).tokens;
}

// The logits behind each pick of row `r` of `got` are the reference's, within the golden tolerance
// (tokens alone prove little on tiny random models that repeat one token).
void expect_logits(const rt::GenerateResult& got, int64_t r, const Reference& want, const std::string& what) {
    ASSERT_EQ(got.logits.size(), want.logits.size()) << what;
    for (size_t step = 0; step < want.logits.size(); ++step) {
        const Tensor& t = got.logits[step];
        int64_t v = t.shape[1];
        ASSERT_EQ(size_t(v), want.logits[step].size()) << what;
        double worst = 0;
        for (int64_t k = 0; k < v; ++k) {
            double ref = want.logits[step][size_t(k)], d = std::fabs(t.ptr<float>()[r * v + k] - ref);
            if (!(d <= 1e-4 + 1e-4 * std::fabs(ref))) worst = std::max(worst, std::isnan(d) ? INFINITY : d);
        }
        EXPECT_EQ(worst, 0) << what << ": logits of step " << step << " differ by " << worst;
    }
}

rt::GenerateResult run(rt::Seq2SeqGenerator& gen, const Rows& rows, const std::vector<int64_t>& which,
                       const rt::GenerateOptions& o) {
    if (rows.prompts.empty()) {
        if (which.size() == 1) return gen.greedy(row(rows.features, which[0]), o);
        return gen.greedy(rows.features, o);
    }
    std::vector<std::vector<int64_t>> prompts;
    for (int64_t r : which) prompts.push_back(rows.prompts[size_t(r)]);
    return gen.greedy(prompts, o);
}

rt::GenerateOptions config_options(const std::string& arch, int64_t new_tokens) {
    rt::GenerateOptions o{.max_new_tokens = new_tokens};
    EXPECT_FALSE(rt::read_generation_config(fixture(arch), o).empty());
    // The reference applies no logits processor; the forced-token tests below check those.
    o.eos_token_id = -1, o.forced_eos_token_id = -1, o.forced_bos_token_id = -1;
    return o;
}

class Seq2SeqGenerate : public ::testing::TestWithParam<std::string> {};

TEST_P(Seq2SeqGenerate, CachedSplitEqualsFullSequenceArgmax) {
    const std::string arch = GetParam();
    Exports& e = exports(arch);
    const int64_t n = 8;
    rt::GenerateOptions o = config_options(arch, n);
    ASSERT_GE(o.decoder_start_token_id, 0);
    Rows rows = rows_of(arch);
    o.output_logits = true;
    rt::Session single(e.single);
    std::vector<Reference> refs;
    std::vector<std::vector<int64_t>> expected;
    for (int64_t r = 0; r < count(rows); ++r) {
        refs.push_back(full_sequence_run(single, rows, r, {o.decoder_start_token_id}, n));
        expected.push_back(refs.back().tokens);
    }

    rt::Seq2SeqGenerator cached(e.split);
    ASSERT_EQ(cached.layout(), rt::Seq2SeqGenerator::Layout::split_with_past);
    EXPECT_EQ(cached.takes_features(), arch == "whisper");
    for (int64_t r = 0; r < count(rows); ++r) {
        rt::GenerateResult got = run(cached, rows, {r}, o);
        EXPECT_EQ(got.tokens.at(0), expected[size_t(r)]) << arch << " row " << r;
        expect_logits(got, 0, refs[size_t(r)], arch + " row " + std::to_string(r));
        EXPECT_EQ(got.encoder_runs, 1) << "the encoder runs once";
        EXPECT_EQ(got.steps, n);
    }
    // Both rows in one batch (text prompts right padded, the encoder mask 0 there).
    rt::GenerateResult batch = run(cached, rows, {0, 1}, o);
    EXPECT_EQ(batch.tokens, expected) << arch << " (batch of two)";
    for (int64_t r = 0; r < count(rows); ++r)
        expect_logits(batch, r, refs[size_t(r)], arch + " batch row " + std::to_string(r));
    EXPECT_EQ(batch.encoder_runs, 1);

    // The split layout without past (encoder once, the decoder on the whole sequence) ...
    rt::Seq2SeqGenerator no_past(e.split_no_past);
    EXPECT_EQ(no_past.layout(), rt::Seq2SeqGenerator::Layout::split);
    EXPECT_FALSE(no_past.uses_cache());
    rt::GenerateResult np = run(no_past, rows, {0, 1}, o);
    EXPECT_EQ(np.tokens, expected) << arch << " (split, no past)";
    expect_logits(np, 1, refs[1], arch + " split no past, row 1");
    EXPECT_EQ(np.encoder_runs, 1);
    // ... and the single model.onnx (its graph re-runs the encoder every step).
    rt::Seq2SeqGenerator one(e.single);
    EXPECT_EQ(one.layout(), rt::Seq2SeqGenerator::Layout::single);
    rt::GenerateResult s = run(one, rows, {0, 1}, o);
    EXPECT_EQ(s.tokens, expected) << arch << " (single model.onnx)";
    expect_logits(s, 1, refs[1], arch + " single, row 1");
    EXPECT_EQ(s.encoder_runs, s.steps);
}

// An independent runtime on the same files: ONNX Runtime, driven step by step with the cache as
// optimum's ORTModelForSeq2SeqLM does, picks the same tokens from the same logits.
// (A subset of the model types: node starts once per run.)
class Seq2SeqGenerateOrt : public ::testing::TestWithParam<std::string> {};

TEST_P(Seq2SeqGenerateOrt, CachedSplitMatchesOnnxRuntime) {
    const std::string arch = GetParam();
    std::optional<OrtOracle> ort = find_ort();
    if (!ort) GTEST_SKIP() << "node / onnxruntime-node not found";
    Exports& e = exports(arch);
    const int64_t n = 6;
    rt::GenerateOptions o = config_options(arch, n);
    o.output_logits = true;
    Rows rows = rows_of(arch);
    rt::Seq2SeqGenerator gen(e.split);
    rt::GenerateResult ours = run(gen, rows, {0, 1}, o);

    std::map<std::string, Tensor> feeds;
    int64_t b = count(rows);
    if (rows.prompts.empty()) {
        feeds["input_features"] = rows.features;
    } else {
        rt::PaddedBatch padded = rt::pad_prompts(rows.prompts, o.pad_token_id, rt::PadSide::right);
        feeds["input_ids"] = padded.input_ids;
        feeds["attention_mask"] = padded.attention_mask;
        feeds["encoder_attention_mask"] = padded.attention_mask;
    }
    feeds["encoder_hidden_states"] = ort_run(*ort, e.split + "/encoder_model.onnx", feeds).at("last_hidden_state");
    std::vector<int64_t> next(size_t(b), o.decoder_start_token_id);
    std::vector<std::vector<int64_t>> tokens(static_cast<size_t>(b));
    for (int64_t step = 0; step < n; ++step) {
        feeds["input_ids"] = i64(next, {b, 1});
        auto out =
            ort_run(*ort, e.split + (step == 0 ? "/decoder_model.onnx" : "/decoder_with_past_model.onnx"), feeds);
        for (const auto& [name, t] : out)
            if (name.rfind("present.", 0) == 0) feeds["past_key_values." + name.substr(8)] = t;
        const Tensor& logits = out.at("logits");  // [b, 1, vocab]
        int64_t v = logits.shape[2];
        for (int64_t r = 0; r < b; ++r) {
            const float* row_logits = logits.ptr<float>() + r * v;
            next[size_t(r)] = std::max_element(row_logits, row_logits + v) - row_logits;
            tokens[size_t(r)].push_back(next[size_t(r)]);
            const Tensor& mine = ours.logits.at(size_t(step));
            double worst = 0;
            for (int64_t k = 0; k < v; ++k) {
                double want = row_logits[k], d = std::fabs(mine.ptr<float>()[r * v + k] - want);
                if (!(d <= 1e-4 + 1e-4 * std::fabs(want))) worst = std::max(worst, std::isnan(d) ? INFINITY : d);
            }
            EXPECT_EQ(worst, 0) << arch << " row " << r << " step " << step << ": logits differ from ONNX Runtime's";
        }
    }
    EXPECT_EQ(ours.tokens, tokens) << arch << ": hfexport vs ONNX Runtime";
}

TEST_P(Seq2SeqGenerate, StopsAtEosAndPadsFinishedRows) {
    const std::string arch = GetParam();
    rt::Seq2SeqGenerator gen(exports(arch).split);
    Rows rows = rows_of(arch);
    rt::GenerateOptions o = config_options(arch, 6);
    std::vector<int64_t> free_run = run(gen, rows, {0}, o).tokens.at(0);
    o.eos_token_id = free_run.at(2);
    size_t first = size_t(std::find(free_run.begin(), free_run.end(), free_run[2]) - free_run.begin());
    rt::GenerateResult r = run(gen, rows, {0}, o);
    // Ends at the first occurrence of the eos token, which is kept.
    EXPECT_EQ(r.tokens.at(0), std::vector<int64_t>(free_run.begin(), free_run.begin() + first + 1));
    EXPECT_EQ(r.steps, int64_t(first + 1));
    // In a batch, a finished row is fed pad_token_id and the other row is unaffected.
    rt::GenerateResult other = run(gen, rows, {1}, o);
    rt::GenerateResult both = run(gen, rows, {0, 1}, o);
    EXPECT_EQ(both.tokens.at(0), r.tokens.at(0));
    EXPECT_EQ(both.tokens.at(1), other.tokens.at(0));
}

TEST_P(Seq2SeqGenerate, ForcedBosAndEosTokens) {
    const std::string arch = GetParam();
    Exports& e = exports(arch);
    rt::Seq2SeqGenerator gen(e.split);
    rt::Session single(e.single);
    Rows rows = rows_of(arch);
    rt::GenerateOptions o = config_options(arch, 5);
    // ForcedBOSTokenLogitsProcessor: the first new token; the rest continue from it.
    o.forced_bos_token_id = 7;
    std::vector<int64_t> got = run(gen, rows, {0}, o).tokens.at(0);
    std::vector<int64_t> expected = {7};
    for (int64_t t : full_sequence_argmax(single, rows, 0, {o.decoder_start_token_id, 7}, 4)) expected.push_back(t);
    EXPECT_EQ(got, expected) << arch;
    // ForcedEOSTokenLogitsProcessor: the last token at max_new_tokens, which ends the row.
    o.forced_bos_token_id = -1;
    o.forced_eos_token_id = o.eos_token_id = 3;
    o.min_length = 100;  // MinLengthLogitsProcessor keeps eos out before that (ForcedEOS still wins)
    got = run(gen, rows, {0}, o).tokens.at(0);
    ASSERT_EQ(got.size(), 5u);
    EXPECT_EQ(got.back(), 3);
    EXPECT_EQ(std::count(got.begin(), got.end() - 1, 3), 0);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Seq2SeqGenerateOrt, ::testing::Values("bart", "t5", "marian", "m2m_100", "whisper"),
                         [](const auto& info) { return info.param; });

// Every encoder-decoder model type with a seq2seq-lm / speech2seq-lm fixture.
INSTANTIATE_TEST_SUITE_P(Fixtures, Seq2SeqGenerate,
                         ::testing::Values("bart", "mbart", "plbart", "marian", "pegasus", "blenderbot",
                                           "blenderbot-small", "m2m_100", "bigbird_pegasus", "t5", "mt5", "longt5",
                                           "whisper"),
                         [](const auto& info) {
                             std::string s = info.param;
                             std::replace(s.begin(), s.end(), '-', '_');
                             return s;
                         });

TEST(Seq2SeqGenerationConfig, FollowsTransformers) {
    rt::GenerateOptions bart;
    EXPECT_EQ(rt::read_generation_config(fixture("bart"), bart), fixture("bart") + "/generation_config.json");
    EXPECT_EQ(bart.decoder_start_token_id, 2);
    EXPECT_EQ(bart.eos_token_id, 2);
    EXPECT_EQ(bart.pad_token_id, 1);
    EXPECT_EQ(bart.forced_eos_token_id, 2);
    rt::GenerateOptions t5;
    rt::read_generation_config(fixture("t5"), t5);
    EXPECT_EQ(t5.decoder_start_token_id, 0);
    EXPECT_EQ(t5.eos_token_id, 1);

    // Only config.json: its generation keys; no decoder_start_token_id -> bos_token_id; no pad -> eos.
    TempDir dir;
    std::ofstream(dir.path + "/config.json")
        << R"({"model_type": "x", "bos_token_id": 4, "eos_token_id": [5, 6], "forced_bos_token_id": 9,
              "forced_decoder_ids": [[1, 50], [2, null]], "suppress_tokens": [1, 2]})";
    rt::GenerateOptions o;
    EXPECT_EQ(rt::read_generation_config(dir.path, o), dir.path + "/config.json");
    EXPECT_EQ(o.decoder_start_token_id, 4);
    EXPECT_EQ(o.eos_token_id, 5);
    EXPECT_EQ(o.more_eos_token_ids, std::vector<int64_t>{6});
    EXPECT_EQ(o.pad_token_id, 5);
    EXPECT_EQ(o.forced_bos_token_id, 9);
    EXPECT_EQ(o.forced_decoder_ids, (std::vector<std::pair<int64_t, int64_t>>{{1, 50}, {2, -1}}));
    EXPECT_EQ(o.suppress_tokens, (std::vector<int64_t>{1, 2}));
    TempDir none;
    rt::GenerateOptions untouched;
    EXPECT_EQ(rt::read_generation_config(none.path, untouched), "");
    EXPECT_EQ(untouched.decoder_start_token_id, -1);
}

TEST(Seq2SeqGreedyRows, SuppressAndForcedDecoderIds) {
    // GreedyRows alone, on hand-made logits [2, 1, 6]: row 0 prefers 5, row 1 prefers 4.
    Tensor logits = Tensor::from(DType::f32, {2, 1, 6}, std::vector<float>{0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 5, 4});
    rt::GenerateOptions o{.max_new_tokens = 4,
                          .eos_token_id = 2,
                          .pad_token_id = 0,
                          .suppress_tokens = {5},
                          .begin_suppress_tokens = {4},
                          .forced_decoder_ids = {{2, 1}, {3, -1}}};
    rt::GreedyRows rows(2, 1, o);
    // length 1: 5 suppressed; begin_suppress applies at 1 + the last forced index 3 = 4 -> 4
    EXPECT_EQ(rows.pick(logits), (std::vector<int64_t>{4, 4}));
    EXPECT_EQ(rows.pick(logits), (std::vector<int64_t>{1, 1}));  // length 2: forced 1
    EXPECT_EQ(rows.pick(logits), (std::vector<int64_t>{4, 4}));  // length 3: an empty (null) slot, free
    EXPECT_EQ(rows.pick(logits), (std::vector<int64_t>{3, 3}));  // length 4 = begin index: 4 and 5 out
    EXPECT_EQ(rows.tokens(), (std::vector<std::vector<int64_t>>{{4, 1, 4, 3}, {4, 1, 4, 3}}));
}

TEST(Seq2SeqGenerateErrors, OneLineErrors) {
    Exports& e = exports("bart");
    rt::Seq2SeqGenerator gen(e.split);
    rt::GenerateOptions o{.max_new_tokens = 2};
    try {
        gen.greedy({{5, 6, 2}}, o);
        ADD_FAILURE() << "no decoder_start_token_id accepted";
    } catch (const Error& err) {
        EXPECT_NE(std::string(err.what()).find("option 'decoder_start_token_id': not set"), std::string::npos)
            << err.what();
    }
    EXPECT_THROW(gen.greedy(Tensor::empty(DType::f32, {1, 80, 60}), o), Error);  // a text encoder

    // A single-file -with-past export cannot take the first step.
    TempDir dir;
    Checkpoint ckpt = Checkpoint::open(fixture("bart"));
    write_export(build_model(plugin_registry(), ckpt, "seq2seq-lm-with-past"), ckpt,
                 resolve_output_path(dir.path + "/past/model.onnx"), {});
    try {
        rt::Seq2SeqGenerator bad(dir.path + "/past");
        ADD_FAILURE() << "a single-file with-past export accepted";
    } catch (const Error& err) {
        EXPECT_NE(std::string(err.what()).find("export with --split"), std::string::npos) << err.what();
    }
    // An encoder-only export is not seq2seq.
    Checkpoint bert = Checkpoint::open(std::string(HFX_FIXTURES_DIR) + "/bert/default");
    write_export(build_model(plugin_registry(), bert, "default"), bert,
                 resolve_output_path(dir.path + "/bert/model.onnx"), {});
    try {
        rt::Seq2SeqGenerator bad(dir.path + "/bert/model.onnx");
        ADD_FAILURE() << "an encoder-only export accepted";
    } catch (const Error& err) {
        EXPECT_NE(std::string(err.what()).find("not an encoder-decoder export"), std::string::npos) << err.what();
    }
}

// The CLI, as a user runs it.
struct Cli {
    int code;
    std::string out, err;
};
Cli cli(const std::string& args) {
    CliResult r = run_cli(std::string("-q --plugin-dir ") + HFX_PLUGIN_BUILD_DIR + " generate " + args);
    return {r.code, r.out, r.err};
}

TEST(Seq2SeqGenerateCli, CheckpointFolderJson) {
    const std::string ckpt = fixture("bart");
    Cli c = cli(ckpt + " --input-ids 5,6,7,8,9,10,2 --input-ids 11,12,2 --max-new-tokens 6 --json");
    ASSERT_EQ(c.code, 0) << c.out << c.err;
    auto j = nlohmann::json::parse(c.out);
    // The same as the library with the checkpoint's own generation settings (eos, pad, forced eos).
    rt::GenerateOptions o{.max_new_tokens = 6};
    rt::read_generation_config(ckpt, o);
    rt::Seq2SeqGenerator gen(exports("bart").split);
    rt::GenerateResult want = gen.greedy({{5, 6, 7, 8, 9, 10, 2}, {11, 12, 2}}, o);
    EXPECT_EQ(j["tokens"].get<std::vector<std::vector<int64_t>>>(), want.tokens);
    EXPECT_EQ(j["steps"].get<int64_t>(), want.steps);
    EXPECT_EQ(j["encoder_runs"].get<int64_t>(), 1);
    EXPECT_TRUE(j["cache"].get<bool>());
    EXPECT_GT(j["tokens_per_second"].get<double>(), 0);
    EXPECT_TRUE(j.contains("seconds"));

    // --no-cache: the single seq2seq-lm model.onnx, the encoder in every step, the same tokens.
    Cli nc = cli(ckpt + " --input-ids 5,6,7,8,9,10,2 --input-ids 11,12,2 --max-new-tokens 6 --no-cache --json");
    ASSERT_EQ(nc.code, 0) << nc.out << nc.err;
    auto k = nlohmann::json::parse(nc.out);
    EXPECT_EQ(k["tokens"], j["tokens"]);
    EXPECT_FALSE(k["cache"].get<bool>());
    EXPECT_EQ(k["encoder_runs"], k["steps"]);

    // An export folder runs directly (its config.json / generation_config.json were copied beside it).
    Cli folder =
        cli(exports("bart").split + " --input-ids 5,6,7,8,9,10,2 --input-ids 11,12,2 --max-new-tokens 6 --json");
    ASSERT_EQ(folder.code, 0) << folder.out << folder.err;
    EXPECT_EQ(nlohmann::json::parse(folder.out)["tokens"], j["tokens"]);
}

TEST(Seq2SeqGenerateCli, WhisperInputFeatures) {
    TempDir dir;
    Tensor features = rows_of("whisper").features;
    write_safetensors(dir.path + "/in.safetensors", {{"input_features", features}});
    Cli c = cli(fixture("whisper") + " --input-features " + dir.path + "/in.safetensors --max-new-tokens 4 --json");
    ASSERT_EQ(c.code, 0) << c.out << c.err;
    auto j = nlohmann::json::parse(c.out);
    rt::GenerateOptions o{.max_new_tokens = 4};
    rt::read_generation_config(fixture("whisper"), o);
    rt::Seq2SeqGenerator gen(exports("whisper").split);
    EXPECT_EQ(j["tokens"].get<std::vector<std::vector<int64_t>>>(), gen.greedy(features, o).tokens);
    EXPECT_EQ(j["encoder_runs"].get<int64_t>(), 1);

    Cli ids = cli(fixture("whisper") + " --input-ids 5,6 --max-new-tokens 2");
    EXPECT_EQ(ids.code, 1);
    EXPECT_NE(ids.err.find("option '--input-features': required"), std::string::npos) << ids.err;
}

TEST(Seq2SeqGenerateCli, OneLineErrors) {
    // A lone .onnx with no config beside it: the start token must be given.
    TempDir dir;
    fs::copy_file(exports("t5").single, dir.path + "/t5.onnx");
    Cli c = cli(dir.path + "/t5.onnx --input-ids 5,6,1 --max-new-tokens 2");
    EXPECT_EQ(c.code, 1);
    EXPECT_NE(c.err.find("option '--decoder-start-token-id': required"), std::string::npos) << c.err;
    EXPECT_EQ(std::count(c.err.begin(), c.err.end(), '\n'), 1) << c.err;
    Cli given = cli(dir.path + "/t5.onnx --input-ids 5,6,1 --max-new-tokens 2 --decoder-start-token-id 0 --json");
    EXPECT_EQ(given.code, 0) << given.err;

    Cli vocab = cli(exports("bart").split + " --input-ids 5,6,2 --max-new-tokens 2 --forced-bos-token-id 9999");
    EXPECT_EQ(vocab.code, 1);
    EXPECT_NE(vocab.err.find("option 'forced_bos_token_id': token 9999 is outside the vocabulary (256 ids)"),
              std::string::npos)
        << vocab.err;

    // Seq2seq options on what is not an encoder-decoder model.
    Checkpoint bert = Checkpoint::open(std::string(HFX_FIXTURES_DIR) + "/bert/default");
    write_export(build_model(plugin_registry(), bert, "default"), bert,
                 resolve_output_path(dir.path + "/bert/model.onnx"), {});
    Cli b = cli(dir.path + "/bert/model.onnx --input-ids 5,6 --decoder-start-token-id 0");
    EXPECT_EQ(b.code, 1);
    EXPECT_NE(b.err.find("not an encoder-decoder export"), std::string::npos) << b.err;
    Cli g = cli(std::string(HFX_FIXTURES_DIR) + "/gpt2/causal-lm --input-ids 5,6 --forced-bos-token-id 3");
    EXPECT_EQ(g.code, 1);
    EXPECT_NE(g.err.find("is not an encoder-decoder model"), std::string::npos) << g.err;
}

}  // namespace
}  // namespace hfx::test
