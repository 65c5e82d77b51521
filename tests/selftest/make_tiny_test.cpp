// make-tiny: the answers a build gets with no checkpoint (graph/tiny_weights.h)
// and the checkpoints it writes for the in-tree BERT plugin.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <set>

#include "checkpoint/checkpoint.h"
#include "export/exporter.h"
#include "graph/tiny_weights.h"
#include "support/golden.h"

namespace hfx::test {
namespace {

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

TEST(TinyWeights, FirstRequestNeedsEveryAxis) {
    TinyWeights t;
    int64_t shape[2] = {-1, 3};
    EXPECT_NE(
        error_of([&] { tiny_weight(t, "a.weight", 2, shape); }).find("tensor 'a.weight': make-tiny needs every axis"),
        std::string::npos);
    int64_t full[2] = {4, 3};
    EXPECT_EQ(tiny_weight(t, "a.weight", 2, full).shape, (Shape{4, 3}));
    EXPECT_EQ(tiny_weight(t, "a.weight", 2, shape).shape, (Shape{4, 3}));  // later requests may leave axes open
    int64_t other[2] = {5, 3};
    EXPECT_NE(error_of([&] { tiny_weight(t, "a.weight", 2, other); }).find("first declared as (4, 3)"),
              std::string::npos);
}

TEST(TinyWeights, LayoutProbeThenAbsent) {
    TinyWeights task;  // a task feature: the first probe says present, and must be honoured
    hfx_weight_info info{sizeof(hfx_weight_info)};
    EXPECT_EQ(tiny_weight_info(task, "bert.embeddings.word_embeddings.weight", &info), 1);
    EXPECT_NE(error_of([&] { task.check_complete(); }).find("never declared"), std::string::npos);
    int64_t s[2] = {10, 4};
    tiny_weight(task, "bert.embeddings.word_embeddings.weight", 2, s);
    EXPECT_NO_THROW(task.check_complete());
    EXPECT_EQ(tiny_weight_info(task, "cls.predictions.decoder.weight", &info), 0);  // tied stays tied
    EXPECT_EQ(tiny_weight_info(task, "bert.embeddings.word_embeddings.weight", &info), 1);
    EXPECT_EQ(info.rank, 2);
    EXPECT_EQ(info.shape[0], 10);

    TinyWeights base;
    base.task_layout = false;  // "default": AutoModel at the root
    EXPECT_EQ(tiny_weight_info(base, "bert.embeddings.word_embeddings.weight", &info), 0);
}

TEST(TinyWeights, NormScalesNearOneOthersSmallAndDeterministic) {
    TinyWeights a, b;
    int64_t n[1] = {256}, m[2] = {64, 64};
    const Tensor ln = tiny_weight(a, "encoder.layer.0.output.LayerNorm.weight", 1, n);
    const Tensor w = tiny_weight(a, "encoder.layer.0.output.dense.weight", 2, m);
    const Tensor w2 = tiny_weight(b, "encoder.layer.0.output.dense.weight", 2, m);
    double ln_mean = 0, w_sq = 0;
    for (int64_t k = 0; k < ln.numel(); ++k) ln_mean += ln.ptr<float>()[k] / double(ln.numel());
    for (int64_t k = 0; k < w.numel(); ++k) w_sq += double(w.ptr<float>()[k]) * w.ptr<float>()[k] / double(w.numel());
    EXPECT_NEAR(ln_mean, 1.0, 0.05);
    EXPECT_NEAR(std::sqrt(w_sq), 0.02, 0.005);
    EXPECT_EQ(std::memcmp(w.data, w2.data, w.nbytes()), 0);
}

TEST(TinyWeights, PaddingRowOfWordEmbeddingsIsZero) {
    TinyWeights t;
    t.pad_token_id = 1;
    int64_t s[2] = {5, 4};
    const Tensor w = tiny_weight(t, "bert.embeddings.word_embeddings.weight", 2, s);
    for (int64_t k = 0; k < 4; ++k) EXPECT_EQ(w.ptr<float>()[4 + k], 0.f);
    EXPECT_NE(w.ptr<float>()[0], 0.f);
    const Tensor p = tiny_weight(t, "bert.embeddings.position_embeddings.weight", 2, s);
    EXPECT_NE(p.ptr<float>()[4], 0.f);
}

TEST(MakeTiny, BertCheckpointsExportAndKeepTiedWeightsTied) {
    PluginRegistry registry;
    registry.load_dir(HFX_PLUGIN_BUILD_DIR);
    ASSERT_TRUE(registry.find("bert"));
    TinyCheckpoint mlm = make_tiny(registry, "bert", "masked-lm");
    std::set<std::string> names;
    for (const auto& [n, t] : mlm.tensors) names.insert(n);
    EXPECT_TRUE(names.count("bert.embeddings.word_embeddings.weight"));
    EXPECT_TRUE(names.count("cls.predictions.bias"));
    EXPECT_FALSE(names.count("cls.predictions.decoder.weight"));
    TinyCheckpoint base = make_tiny(registry, "bert", "default");
    bool root = false;
    for (const auto& [n, t] : base.tensors) root = root || n == "embeddings.word_embeddings.weight";
    EXPECT_TRUE(root);

    TempDir dir;
    write_tiny(mlm, dir.path + "/ckpt");
    Checkpoint ckpt = Checkpoint::open(dir.path + "/ckpt");
    EXPECT_EQ(ckpt.config().value("model_type", ""), "bert");
    BuiltModel built = build_model(registry, ckpt, "masked-lm");
    EXPECT_EQ(built.model.outputs.size(), 1u);
}

TEST(MakeTiny, AnAbsentTensorThePluginNeedsIsCreated) {
    // toy-decoder has tie_word_embeddings false and refuses a checkpoint without lm_head.weight.
    PluginRegistry registry;
    registry.load_dir(std::string(HFX_BINARY_DIR) + "/tests/abi/selftest/toy_decoder");
    ASSERT_TRUE(registry.find("toy-decoder"));
    TinyCheckpoint lm = make_tiny(registry, "toy-decoder", "causal-lm");
    bool head = false;
    for (const auto& [n, t] : lm.tensors) head = head || (n == "lm_head.weight" && t.shape == Shape{50, 16});
    EXPECT_TRUE(head);
}

TEST(MakeTiny, RefusesUnknownTypes) {
    PluginRegistry registry;
    EXPECT_NE(error_of([&] { make_tiny(registry, "nope"); }).find("model type 'nope': no plugin registers it"),
              std::string::npos);
}

}  // namespace
}  // namespace hfx::test
