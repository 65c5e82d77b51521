// Self-consistency of encoder-decoder exports, for every seq2seq model type
// with a fixture checkpoint: in optimum's split layout, decoding the fixture's
// decoder_input_ids one token at a time (decoder_model.onnx for the first
// token, then decoder_with_past_model.onnx with the returned cache) gives the
// logits and the cache of one decoder_model.onnx run over the whole sequence;
// so does one decoder_with_past step over several tokens, and a first step
// from an empty self-attention cache; and the single model.onnx with past
// agrees. The files run in hfexport's runtime.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "checkpoint/checkpoint.h"
#include "checkpoint/safetensors_write.h"
#include "export/split.h"
#include "runtime/session.h"
#include "support/golden.h"

namespace hfx::test {
namespace {

constexpr double kAtol = 1e-4, kRtol = 1e-4;

using Tensors = std::map<std::string, Tensor>;

// x[:, start:start+len, ...]
Tensor slice_seq(const Tensor& x, int64_t start, int64_t len) {
    Shape s = x.shape;
    int64_t outer = s[0], steps = s[1], inner = x.numel() / (outer * steps);
    s[1] = len;
    Tensor out = Tensor::empty(x.dtype, s);
    size_t row = size_t(inner) * dtype_size(x.dtype);
    for (int64_t b = 0; b < outer; ++b)
        std::memcpy(static_cast<char*>(out.data) + size_t(b * len) * row,
                    static_cast<const char*>(x.data) + size_t(b * steps + start) * row, size_t(len) * row);
    return out;
}

struct Graph {
    rt::Session session;
    Tensors run(const Tensors& available) {
        Tensors feeds;
        for (const std::string& n : session.input_names()) {
            EXPECT_TRUE(available.count(n)) << "no value for input '" << n << "'";
            if (available.count(n)) feeds[n] = available.at(n);
        }
        std::vector<std::string> names = session.output_names();
        std::vector<Tensor> values = session.run(names, feeds);
        Tensors out;
        for (size_t k = 0; k < names.size(); ++k) out[names[k]] = values[k];
        return out;
    }
};

// present.* of one run as the past_key_values.* of the next.
void take_cache(const Tensors& outputs, Tensors& feeds) {
    for (const auto& [name, t] : outputs)
        if (name.rfind("present.", 0) == 0) feeds["past_key_values." + name.substr(8)] = t;
}

void expect_close(const Tensor& got, const Tensor& want, const std::string& what) {
    EXPECT_EQ(got.shape, want.shape) << what;
    EXPECT_TRUE(all_close(got, want, kAtol, kRtol)) << what << ": max |diff| " << max_abs_diff(got, want);
}

class Stepwise : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(Stepwise, DecodingWithPastEqualsTheFullSequence) {
    auto [arch, task] = GetParam();
    std::string path = std::string(HFX_FIXTURES_DIR) + "/" + arch + "/" + task;
    Checkpoint ckpt = Checkpoint::open(path);
    TempDir dir;
    std::ostringstream log;
    std::map<std::string, Graph> graphs;
    for (ComponentExport& e : export_split(plugin_registry(), ckpt, task + "-with-past", dir.path, {}, log))
        graphs.emplace(e.component, Graph{rt::Session(e.path)});

    Tensors golden = read_safetensors(path + "/golden.safetensors");
    Tensor ids = golden.at("decoder_input_ids");
    int64_t steps = ids.shape[1];
    ASSERT_GE(steps, 3);
    Tensors feeds = golden;  // input_ids/attention_mask or input_features for the encoder
    Tensor encoder_states = graphs.at("encoder").run(feeds).at("last_hidden_state");
    Tensors common = {{"encoder_hidden_states", encoder_states}};
    if (golden.count("attention_mask")) common["encoder_attention_mask"] = golden.at("attention_mask");

    Tensors full_feeds = common;
    full_feeds["input_ids"] = ids;
    Tensors full = graphs.at("decoder").run(full_feeds);
    const Tensor& logits = full.at("logits");

    // Token 0 through decoder_model.onnx, then one token at a time with the cache.
    Tensors step = common;
    step["input_ids"] = slice_seq(ids, 0, 1);
    Tensors out = graphs.at("decoder").run(step);
    expect_close(out.at("logits"), slice_seq(logits, 0, 1), arch + " logits of step 0");
    Tensors first = out;
    for (int64_t t = 1; t < steps; ++t) {
        take_cache(out, step);
        step["input_ids"] = slice_seq(ids, t, 1);
        out = graphs.at("decoder-with-past").run(step);
        expect_close(out.at("logits"), slice_seq(logits, t, 1), arch + " logits of step " + std::to_string(t));
    }
    // The cache after the last step is the one of the full run.
    for (const auto& [name, t] : out)
        if (name.rfind("present.", 0) == 0) expect_close(t, full.at(name), arch + " " + name);

    // decoder_with_past also takes the first step, from an empty self-attention cache.
    Tensors empty = common;
    take_cache(first, empty);
    for (auto& [n, t] : empty)
        if (n.find(".decoder.") != std::string::npos) {
            Shape s = t.shape;
            s[2] = 0;
            t = Tensor::empty(DType::f32, s);
        }
    empty["input_ids"] = slice_seq(ids, 0, 1);
    expect_close(graphs.at("decoder-with-past").run(empty).at("logits"), slice_seq(logits, 0, 1),
                 arch + " logits of a first step with an empty cache");

    // transformers.onnx's single model.onnx with past: encoder inputs, the next tokens and the cache.
    {
        BuiltModel built = build_model(plugin_registry(), ckpt, task + "-with-past");
        std::string single = dir.path + "/single/model.onnx";
        std::filesystem::create_directories(dir.path + "/single");
        write_export(built, ckpt, single, {});
        Graph model{rt::Session(single)};
        Tensors feeds_single = golden;
        take_cache(first, feeds_single);
        feeds_single["decoder_input_ids"] = slice_seq(ids, 1, steps - 1);
        Tensors got = model.run(feeds_single);
        expect_close(got.at("logits"), slice_seq(logits, 1, steps - 1), arch + " logits of the single file with past");
        expect_close(got.at("encoder_last_hidden_state"), encoder_states, arch + " encoder_last_hidden_state");
    }

    // One decoder_with_past step over every remaining token at once.
    Tensors chunk = common;
    take_cache(first, chunk);
    chunk["input_ids"] = slice_seq(ids, 1, steps - 1);
    expect_close(graphs.at("decoder-with-past").run(chunk).at("logits"), slice_seq(logits, 1, steps - 1),
                 arch + " logits of a multi-token step");
}

std::string name(const ::testing::TestParamInfo<std::pair<std::string, std::string>>& info) {
    std::string s = info.param.first;
    for (char& c : s)
        if (!isalnum(static_cast<unsigned char>(c))) c = '_';
    return s;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Stepwise,
                         ::testing::Values(std::pair{"bart", "seq2seq-lm"}, std::pair{"mbart", "seq2seq-lm"},
                                           std::pair{"plbart", "seq2seq-lm"}, std::pair{"marian", "seq2seq-lm"},
                                           std::pair{"pegasus", "seq2seq-lm"}, std::pair{"blenderbot", "seq2seq-lm"},
                                           std::pair{"blenderbot-small", "seq2seq-lm"},
                                           std::pair{"m2m_100", "seq2seq-lm"},
                                           std::pair{"bigbird_pegasus", "seq2seq-lm"}, std::pair{"t5", "seq2seq-lm"},
                                           std::pair{"mt5", "seq2seq-lm"}, std::pair{"longt5", "seq2seq-lm"},
                                           std::pair{"whisper", "speech2seq-lm"}),
                         name);

}  // namespace
}  // namespace hfx::test
