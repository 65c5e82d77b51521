// token-classification of the decoder families that have the head in
// transformers 4.40.2 (GPT2/GPTNeo/GPTNeoX/BloomForTokenClassification): no
// fixture holds a `classifier`, so one is added to the bare model's checkpoint
// and the logits must equal classifier(last_hidden_state) on the golden states
// (at real tokens; see the position_ids note below).
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "checkpoint/safetensors_write.h"
#include "tests/generate/decoder_support.h"

namespace hfx::test {
namespace {

class TokenClassification : public ::testing::TestWithParam<std::string> {};

TEST_P(TokenClassification, ClassifierOnTheGoldenHiddenStates) {
    const std::string src = std::string(HFX_FIXTURES_DIR) + "/" + GetParam() + "/default";
    auto golden = read_safetensors(src + "/golden.safetensors");
    const Tensor& hidden = golden.at("last_hidden_state");  // [b, s, h]
    int64_t h = hidden.shape[2], labels = 3;

    std::vector<float> w, bias;
    for (int64_t k = 0; k < labels * h; ++k) w.push_back(float(std::sin(0.37 * double(k) + 0.1)));
    for (int64_t k = 0; k < labels; ++k) bias.push_back(0.25f * float(k) - 0.3f);
    std::vector<std::pair<std::string, Tensor>> tensors;
    for (const auto& [name, t] : read_safetensors(src + "/model.safetensors")) tensors.emplace_back(name, t);
    tensors.emplace_back("classifier.weight", Tensor::from(DType::f32, {labels, h}, w));
    tensors.emplace_back("classifier.bias", Tensor::from(DType::f32, {labels}, bias));
    TempDir dir;
    write_safetensors(dir.path + "/model.safetensors", tensors);
    nlohmann::json cfg = nlohmann::json::parse(std::ifstream(src + "/config.json"));
    cfg.erase("id2label");
    cfg.erase("label2id");
    cfg["num_labels"] = labels;
    std::ofstream(dir.path + "/config.json") << cfg.dump(1);

    Checkpoint ckpt = Checkpoint::open(dir.path);
    BuiltModel built = build_model(decoder_registry(), ckpt, "token-classification");
    write_export(built, ckpt, dir.path + "/model.onnx", {});
    rt::Session s(dir.path + "/model.onnx");
    std::map<std::string, Tensor> feeds;
    for (const auto& name : s.input_names()) feeds[name] = golden.at(name);
    Tensor logits = s.run({"logits"}, feeds).at(0);

    Tensor expected = Tensor::empty(DType::f32, {hidden.shape[0], hidden.shape[1], labels});
    for (int64_t r = 0; r < hidden.shape[0] * hidden.shape[1]; ++r)
        for (int64_t l = 0; l < labels; ++l) {
            double acc = bias[size_t(l)];
            for (int64_t k = 0; k < h; ++k) acc += double(hidden.ptr<float>()[r * h + k]) * w[size_t(l * h + k)];
            expected.ptr<float>()[r * labels + l] = float(acc);
        }
    // The golden states were computed with generate()'s position_ids (1 on padding); token-classification
    // takes none (optimum), so the model counts 0..s-1: equal on real tokens, not on padding.
    ASSERT_EQ(logits.shape, expected.shape);
    const Tensor& mask = golden.at("attention_mask");
    for (int64_t r = 0; r < mask.numel(); ++r)
        if (mask.ptr<int64_t>()[r] == 0)
            for (int64_t l = 0; l < labels; ++l)
                logits.ptr<float>()[r * labels + l] = expected.ptr<float>()[r * labels + l] = 0;
    EXPECT_TRUE(all_close(logits, expected, 1e-4, 1e-4))
        << GetParam() << ": max |diff| " << max_abs_diff(logits, expected);
}

INSTANTIATE_TEST_SUITE_P(Decoders, TokenClassification, ::testing::Values("gpt2", "gpt_neo", "gpt_neox", "bloom"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace hfx::test
