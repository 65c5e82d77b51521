// Self-consistency of decoder-only exports, run in our runtime (hfx::rt::Session):
//  - the logits of a full sequence (causal-lm) equal a prefix run of the
//    causal-lm-with-past file on an empty past followed by one step per token;
//  - a sequence alone gives the same logits as the same sequence left padded
//    next to a longer one (and the next step with past agrees too);
//  - sequence-classification pools the same logits for a right-padded row.
// Rotary attention only sees position differences, so these checks cover the
// cache and the masks, not absolute positions: the golden tests cover those.
// Checkpoints: the golden fixtures, a Mistral fixture with a short sliding
// window, and random Falcon checkpoints in the layouts no fixture covers.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "checkpoint/checkpoint.h"
#include "checkpoint/safetensors_write.h"
#include "export/exporter.h"
#include "runtime/session.h"
#include "support/golden.h"

namespace hfx::test {
namespace {

namespace fs = std::filesystem;
constexpr double kAtol = 1e-4, kRtol = 1e-4;

// -- checkpoints ---------------------------------------------------------

// A copy of a fixture checkpoint with some config.json keys changed.
std::string patched_fixture(const std::string& case_dir, const nlohmann::json& patch, const std::string& into) {
    fs::create_directories(into);
    for (const char* f : {"config.json", "model.safetensors"}) fs::copy_file(case_dir + "/" + f, into + "/" + f);
    std::ifstream in(into + "/config.json");
    nlohmann::json cfg = nlohmann::json::parse(in);
    cfg.merge_patch(patch);
    std::ofstream(into + "/config.json") << cfg.dump(2);
    return into;
}

// A random-weight checkpoint: config.json + model.safetensors with the given tensors.
std::string random_checkpoint(const nlohmann::json& config, const std::vector<std::pair<std::string, Shape>>& shapes,
                              const std::string& into) {
    fs::create_directories(into);
    std::ofstream(into + "/config.json") << config.dump(2);
    std::mt19937 rng(1234);
    std::normal_distribution<float> nd(0.f, 0.3f);
    std::vector<std::pair<std::string, Tensor>> tensors;
    for (const auto& [name, shape] : shapes) {
        Tensor t = Tensor::empty(DType::f32, shape);
        bool norm_weight = name.find("ln") != std::string::npos && name.ends_with(".weight");
        for (int64_t k = 0; k < t.numel(); ++k) t.ptr<float>()[k] = (norm_weight ? 1.f : 0.f) + nd(rng);
        tensors.emplace_back(name, std::move(t));
    }
    write_safetensors(into + "/model.safetensors", tensors, {{"format", "pt"}});
    return into;
}

// Falcon in the layouts the fixtures lack: new_decoder_architecture (grouped kv),
// and the original per-head qkv with a sequential (not parallel) layer.
std::string falcon_checkpoint(bool new_arch, const std::string& into) {
    int64_t hidden = 32, heads = 4, kv = 2, d = 8, vocab = 256;
    nlohmann::json cfg = {{"model_type", "falcon"},
                          {"vocab_size", vocab},
                          {"hidden_size", hidden},
                          {"num_hidden_layers", 2},
                          {"num_attention_heads", heads},
                          {"num_kv_heads", kv},
                          {"new_decoder_architecture", new_arch},
                          {"multi_query", new_arch},
                          {"parallel_attn", new_arch},
                          {"alibi", false},
                          {"bias", true},
                          {"layer_norm_epsilon", 1e-5},
                          {"max_position_embeddings", 128},
                          {"rope_theta", 10000.0},
                          {"pad_token_id", 0},
                          {"ffn_hidden_size", 4 * hidden}};
    int64_t qkv = new_arch ? (2 * kv + heads) * d : 3 * hidden;
    std::vector<std::pair<std::string, Shape>> w = {{"transformer.word_embeddings.weight", {vocab, hidden}},
                                                    {"transformer.ln_f.weight", {hidden}},
                                                    {"transformer.ln_f.bias", {hidden}}};
    for (int i = 0; i < 2; ++i) {
        std::string p = "transformer.h." + std::to_string(i) + ".";
        for (const char* ln : new_arch ? std::vector<const char*>{"ln_attn", "ln_mlp"}
                                       : std::vector<const char*>{"input_layernorm", "post_attention_layernorm"}) {
            w.push_back({p + ln + ".weight", {hidden}});
            w.push_back({p + ln + ".bias", {hidden}});
        }
        w.push_back({p + "self_attention.query_key_value.weight", {qkv, hidden}});
        w.push_back({p + "self_attention.query_key_value.bias", {qkv}});
        w.push_back({p + "self_attention.dense.weight", {hidden, hidden}});
        w.push_back({p + "self_attention.dense.bias", {hidden}});
        w.push_back({p + "mlp.dense_h_to_4h.weight", {4 * hidden, hidden}});
        w.push_back({p + "mlp.dense_h_to_4h.bias", {4 * hidden}});
        w.push_back({p + "mlp.dense_4h_to_h.weight", {hidden, 4 * hidden}});
        w.push_back({p + "mlp.dense_4h_to_h.bias", {hidden}});
    }
    return random_checkpoint(cfg, w, into);
}

// -- tensors -------------------------------------------------------------

using Rows = std::vector<std::vector<int64_t>>;

Tensor i64(const Rows& rows) {
    Tensor t = Tensor::empty(DType::i64, {int64_t(rows.size()), int64_t(rows.at(0).size())});
    for (size_t r = 0; r < rows.size(); ++r)
        for (size_t c = 0; c < rows[r].size(); ++c) t.ptr<int64_t>()[r * rows[r].size() + c] = rows[r][c];
    return t;
}
Rows cols(const Rows& rows, size_t begin, size_t end) {
    Rows out;
    for (const auto& r : rows) out.emplace_back(r.begin() + begin, r.begin() + end);
    return out;
}
// cumsum(mask) - 1, 1 on padding (transformers' generate()).
Rows positions(const Rows& mask) {
    Rows out;
    for (const auto& r : mask) {
        std::vector<int64_t> p;
        int64_t sum = 0;
        for (int64_t m : r) sum += m, p.push_back(m ? sum - 1 : 1);
        out.push_back(p);
    }
    return out;
}
// logits[row, pos, :] (rank 3) or logits[row, :] (rank 2) as a [n] tensor.
Tensor at(const Tensor& logits, int64_t row, int64_t pos = -1) {
    int64_t n = logits.shape.back();
    int64_t offset = logits.rank() == 3 ? (row * logits.shape[1] + pos) * n : row * n;
    return Tensor::from(DType::f32, {n},
                        std::vector<float>(logits.ptr<float>() + offset, logits.ptr<float>() + offset + n));
}
::testing::AssertionResult close(const Tensor& a, const Tensor& b) {
    if (all_close(a, b, kAtol, kRtol)) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "max |diff| " << max_abs_diff(a, b);
}

// -- the two exports of one checkpoint ----------------------------------

class Decoder {
public:
    Decoder(const std::string& ckpt_dir, const std::string& feature, const std::string& out) {
        Checkpoint ckpt = Checkpoint::open(ckpt_dir);
        BuiltModel built = build_model(plugin_registry(), ckpt, feature);
        write_export(built, ckpt, out, {});
        session_ = std::make_unique<rt::Session>(out);
        for (const ValueInfo& in : session_->model().inputs)
            if (in.name.starts_with("past_key_values.")) past_[in.name] = in;
    }
    bool has_positions() const {
        for (const auto& n : session_->input_names())
            if (n == "position_ids") return true;
        return false;
    }
    // Runs ids / mask (covering past + new) / positions; `cache` holds present.* of the last
    // call (empty = a past of length 0) and is replaced by this call's.
    // `pos` overrides the position_ids derived from the mask.
    Tensor run(const Rows& ids, const Rows& mask, std::map<std::string, Tensor>* cache = nullptr,
               const Rows* pos = nullptr) {
        std::map<std::string, Tensor> feeds = {{"input_ids", i64(ids)}, {"attention_mask", i64(mask)}};
        if (has_positions())
            feeds["position_ids"] =
                i64(pos ? *pos : cols(positions(mask), mask[0].size() - ids[0].size(), mask[0].size()));
        for (const auto& [name, info] : past_) {
            std::string present = "present." + name.substr(std::string("past_key_values.").size());
            if (cache && cache->count(present)) {
                feeds[name] = cache->at(present);
            } else {          // an empty past: the declared axes, batch rows and past_sequence 0
                Shape shape;  // [batch, kv_heads, 0, head_dim], or GPTBigCode's [batch, 0, 2 * head_dim]
                for (const Dim& d : info.dims)
                    shape.push_back(d.size >= 0 ? d.size : d.symbol == "batch" ? int64_t(ids.size()) : 0);
                feeds[name] = Tensor::empty(DType::f32, shape);
            }
        }
        std::vector<std::string> names = session_->output_names();
        std::vector<Tensor> outs = session_->run(names, feeds);
        Tensor logits;
        for (size_t k = 0; k < names.size(); ++k) {
            if (names[k] == "logits") logits = outs[k];
            else if (cache) (*cache)[names[k]] = outs[k];
        }
        return logits;
    }

private:
    std::unique_ptr<rt::Session> session_;
    std::map<std::string, ValueInfo> past_;
};

struct Case {
    std::string name;        // test name
    std::string checkpoint;  // fixture case folder, or "" for a made-up one
    nlohmann::json patch;    // config.json changes on the fixture
    int falcon_layout = -1;  // random Falcon: 0 = original per-head qkv, 1 = new architecture
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::string fixture(const std::string& arch, const std::string& c) {
    return std::string(HFX_FIXTURES_DIR) + "/" + arch + "/" + c;
}

std::vector<Case> cases() {
    std::vector<Case> out;
    for (const char* arch : {"llama", "mistral", "qwen2", "gemma", "phi", "falcon", "starcoder2", "olmo", "stablelm",
                             "phi3", "mixtral", "qwen2_moe", "gemma2", "gpt_bigcode"})
        out.push_back({arch, fixture(arch, "causal-lm"), nullptr, -1});
    out.push_back({"llama_rope_llama3", fixture("llama", "causal-lm-llama3"), nullptr, -1});
    out.push_back({"starcoder2_window4_nobias", fixture("starcoder2", "causal-lm-b3s9"), nullptr, -1});
    out.push_back({"olmo_attention_bias", fixture("olmo", "causal-lm-b3s9"), nullptr, -1});
    out.push_back({"stablelm_parallel_residual", fixture("stablelm", "causal-lm-b3s9"), nullptr, -1});
    out.push_back({"mixtral_top3_window4", fixture("mixtral", "causal-lm-b3s9"), nullptr, -1});
    out.push_back({"qwen2_moe_sparse_step2_window4", fixture("qwen2_moe", "causal-lm-b3s9"), nullptr, -1});
    out.push_back({"gemma2_window4_small_caps", fixture("gemma2", "causal-lm-b3s9"), nullptr, -1});
    out.push_back({"mistral_window3", fixture("mistral", "causal-lm"), {{"sliding_window", 3}}, -1});
    out.push_back({"qwen2_window2", fixture("qwen2", "causal-lm"), {{"sliding_window", 2}}, -1});
    out.push_back({"falcon_per_head_sequential", "", nullptr, 0});
    out.push_back({"falcon_new_architecture", "", nullptr, 1});
    return out;
}

class DecoderLlm : public ::testing::TestWithParam<Case> {
protected:
    void SetUp() override {
        const Case& c = GetParam();
        if (c.falcon_layout >= 0) ckpt_ = falcon_checkpoint(c.falcon_layout == 1, dir_.path + "/ckpt");
        else if (!c.patch.is_null()) ckpt_ = patched_fixture(c.checkpoint, c.patch, dir_.path + "/ckpt");
        else ckpt_ = c.checkpoint;
        std::ifstream in(ckpt_ + "/config.json");
        nlohmann::json cfg = nlohmann::json::parse(in);
        pad_ = cfg.value("pad_token_id", 0);
        vocab_ = cfg.at("vocab_size");
        full_ = std::make_unique<Decoder>(ckpt_, "causal-lm", dir_.path + "/full.onnx");
        step_ = std::make_unique<Decoder>(ckpt_, "causal-lm-with-past", dir_.path + "/past.onnx");
    }
    // Token ids that are not the pad token.
    std::vector<int64_t> tokens(size_t n, uint32_t seed) const {
        std::mt19937 rng(seed);
        std::uniform_int_distribution<int64_t> u(3, vocab_ - 3);
        std::vector<int64_t> out;
        while (out.size() < n) {
            int64_t t = u(rng);
            if (t != pad_) out.push_back(t);
        }
        return out;
    }
    TempDir dir_;
    std::string ckpt_;
    int64_t pad_ = 0, vocab_ = 0;
    std::unique_ptr<Decoder> full_, step_;
};

TEST_P(DecoderLlm, StepsWithPastEqualFullSequence) {
    // Row 0 unpadded, row 1 left padded by 2: 7 positions each.
    std::vector<int64_t> a = tokens(7, 1), b = tokens(5, 2);
    Rows ids = {a, {pad_, pad_, b[0], b[1], b[2], b[3], b[4]}};
    Rows mask = {{1, 1, 1, 1, 1, 1, 1}, {0, 0, 1, 1, 1, 1, 1}};
    Tensor reference = full_->run(ids, mask);
    for (size_t prefix : {size_t(1), size_t(4), size_t(7)}) {
        SCOPED_TRACE("prefix " + std::to_string(prefix));
        std::map<std::string, Tensor> cache;  // empty: the first call has a past of length 0
        Tensor logits = step_->run(cols(ids, 0, prefix), cols(mask, 0, prefix), &cache);
        for (size_t t = 0; t < ids[0].size(); ++t) {
            if (t >= prefix) logits = step_->run(cols(ids, t, t + 1), cols(mask, 0, t + 1), &cache);
            int64_t pos = t >= prefix ? 0 : int64_t(t);
            for (int64_t r = 0; r < 2; ++r)
                if (mask[r][t])
                    EXPECT_TRUE(close(at(logits, r, pos), at(reference, r, t))) << "row " << r << " token " << t;
        }
    }
}

TEST_P(DecoderLlm, LeftPaddedBatchEqualsAlone) {
    std::vector<int64_t> a = tokens(4, 3), b = tokens(7, 4), next = tokens(2, 5);
    Tensor alone_a = full_->run({a}, {{1, 1, 1, 1}});
    Tensor alone_b = full_->run({b}, {{1, 1, 1, 1, 1, 1, 1}});
    Rows ids = {{pad_, pad_, pad_, a[0], a[1], a[2], a[3]}, b};
    Rows mask = {{0, 0, 0, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1}};
    Tensor batch = full_->run(ids, mask);
    for (int64_t t = 0; t < 4; ++t) EXPECT_TRUE(close(at(batch, 0, t + 3), at(alone_a, 0, t))) << "token " << t;
    for (int64_t t = 0; t < 7; ++t) EXPECT_TRUE(close(at(batch, 1, t), at(alone_b, 0, t))) << "token " << t;

    // One more token each, through the with-past file.
    std::map<std::string, Tensor> cache_a, cache_batch;
    step_->run({a}, {{1, 1, 1, 1}}, &cache_a);
    Tensor step_a = step_->run({{next[0]}}, {{1, 1, 1, 1, 1}}, &cache_a);
    step_->run(ids, mask, &cache_batch);
    Tensor step_batch =
        step_->run({{next[0]}, {next[1]}}, {{0, 0, 0, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1, 1}}, &cache_batch);
    EXPECT_TRUE(close(at(step_batch, 0, 0), at(step_a, 0, 0)));
}

INSTANTIATE_TEST_SUITE_P(Models, DecoderLlm, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

// rope_scaling: "linear" divides the positions by the factor, so positions 2p
// with factor 2 give what the unscaled model gives at p; "dynamic" leaves
// positions below max_position_embeddings alone and beyond them equals the
// unscaled model with the enlarged base theta * (f * len / max - (f - 1))^(d / (d - 2)).
TEST(DecoderLlmRope, ScalingMatchesItsDefinition) {
    TempDir tmp;
    std::string llama = fixture("llama", "causal-lm");
    Decoder plain(patched_fixture(llama, {{"max_position_embeddings", 16}}, tmp.path + "/plain"), "causal-lm",
                  tmp.path + "/plain.onnx");
    Decoder linear(patched_fixture(llama, {{"rope_scaling", {{"type", "linear"}, {"factor", 2.0}}}}, tmp.path + "/lin"),
                   "causal-lm", tmp.path + "/lin.onnx");
    Decoder dynamic(
        patched_fixture(llama,
                        {{"max_position_embeddings", 16}, {"rope_scaling", {{"type", "dynamic"}, {"factor", 2.0}}}},
                        tmp.path + "/dyn"),
        "causal-lm", tmp.path + "/dyn.onnx");
    Rows ids = {{11, 25, 37, 42, 50, 61}, {72, 83, 94, 105, 116, 127}};
    Rows mask = {{1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1}};
    Rows low = {{0, 1, 2, 3, 4, 5}, {3, 4, 5, 6, 7, 8}}, doubled = low,
         high = {{0, 1, 2, 3, 4, 5}, {15, 16, 17, 18, 19, 20}};
    for (auto& r : doubled)
        for (auto& p : r) p *= 2;
    Tensor want = plain.run(ids, mask, nullptr, &low);
    EXPECT_TRUE(close(linear.run(ids, mask, nullptr, &doubled), want));
    EXPECT_TRUE(close(dynamic.run(ids, mask, nullptr, &low), want));

    // Longest position 20: len 21 > 16, base = 10000 * (2 * 21 / 16 - 1)^(8 / 6) for head_dim 8.
    double base = 10000.0 * std::pow(2.0 * 21 / 16 - 1.0, 8.0 / 6.0);
    Decoder enlarged(patched_fixture(llama, {{"rope_theta", base}}, tmp.path + "/big"), "causal-lm",
                     tmp.path + "/big.onnx");
    Tensor got = dynamic.run(ids, mask, nullptr, &high);
    EXPECT_TRUE(close(got, enlarged.run(ids, mask, nullptr, &high)));
    EXPECT_FALSE(close(got, plain.run(ids, mask, nullptr, &high)));
}

// Mistral's eager sliding window (transformers 4.40): a query sees itself and
// sliding_window keys back, so with a window of 3 the first 4 tokens match the
// model without a window and the later ones do not.
TEST(DecoderLlmWindow, SlidingWindowHidesOnlyOlderKeys) {
    TempDir tmp;
    std::string mistral = fixture("mistral", "causal-lm");
    Decoder wide(mistral, "causal-lm", tmp.path + "/wide.onnx");
    Decoder narrow(patched_fixture(mistral, {{"sliding_window", 3}}, tmp.path + "/w3"), "causal-lm",
                   tmp.path + "/w3.onnx");
    Rows ids = {{11, 25, 37, 42, 50, 61, 72}}, mask = {{1, 1, 1, 1, 1, 1, 1}};
    Tensor a = wide.run(ids, mask), b = narrow.run(ids, mask);
    for (int64_t t = 0; t < 7; ++t) {
        if (t <= 3) EXPECT_TRUE(close(at(b, 0, t), at(a, 0, t))) << "token " << t;
        else EXPECT_FALSE(close(at(b, 0, t), at(a, 0, t))) << "token " << t;
    }
}

// Sequence classification pools the last real token: a right-padded row next to
// a longer one gives the logits it gives alone.
class DecoderLlmClassification : public ::testing::TestWithParam<std::string> {};

TEST_P(DecoderLlmClassification, RightPaddedRowEqualsAlone) {
    std::string dir = fixture(GetParam(), "sequence-classification");
    std::ifstream in(dir + "/config.json");
    int64_t pad = nlohmann::json::parse(in).value("pad_token_id", 0);
    TempDir tmp;
    Decoder cls(dir, "sequence-classification", tmp.path + "/cls.onnx");
    std::vector<int64_t> a = {11, 25, 37, 42}, b = {50, 61, 72, 83, 94, 105, 116};
    Tensor alone_a = cls.run({a}, {{1, 1, 1, 1}});
    Tensor alone_b = cls.run({b}, {{1, 1, 1, 1, 1, 1, 1}});
    Tensor batch =
        cls.run({{a[0], a[1], a[2], a[3], pad, pad, pad}, b}, {{1, 1, 1, 1, 0, 0, 0}, {1, 1, 1, 1, 1, 1, 1}});
    EXPECT_TRUE(close(at(batch, 0), at(alone_a, 0)));
    EXPECT_TRUE(close(at(batch, 1), at(alone_b, 0)));
}

INSTANTIATE_TEST_SUITE_P(Models, DecoderLlmClassification,
                         ::testing::Values("llama", "mistral", "qwen2", "gemma", "phi", "falcon", "starcoder2",
                                           "stablelm", "phi3", "mixtral", "qwen2_moe", "gemma2", "gpt_bigcode"));

}  // namespace
}  // namespace hfx::test
