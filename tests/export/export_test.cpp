// The exporter's promises: files run at sizes other than the build's, every
// opset 11..17 agrees with the eager graph, and validation catches a file
// that differs from its checkpoint (a weight changed after writing, a broken
// opset lowering).
#include <gtest/gtest.h>
#include <onnx/checker.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "checkpoint/checkpoint.h"
#include "export/exporter.h"
#include "export/lower.h"
#include "export/writer.h"
#include "runtime/session.h"
#include "support/golden.h"
#include "validate/dummy_inputs.h"
#include "validate/validate.h"

namespace hfx::test {
namespace {

const std::string kBert = std::string(HFX_FIXTURES_DIR) + "/bert/sequence-classification";

PluginRegistry& registry() {
    static PluginRegistry r;
    static bool loaded = (r.load_dir(HFX_PLUGIN_BUILD_DIR), true);
    (void)loaded;
    return r;
}

ValidationOptions no_ort() {
    ValidationOptions o;
    o.use_ort = false;
    return o;
}

TEST(Export, RunsAtTwoSizesLikeTheEagerGraph) {
    Checkpoint ckpt = Checkpoint::open(kBert);
    BuiltModel built = build_model(registry(), ckpt, "default");
    TempDir dir;
    write_export(built, ckpt, dir.path + "/model.onnx", {});
    rt::Session file(dir.path + "/model.onnx");
    rt::Session eager(eager_form(built.model));
    for (auto [batch, seq] : {std::pair{1, 5}, std::pair{4, 12}}) {
        auto inputs = make_dummy_inputs(built.model, {{"batch", batch}, {"sequence", seq}});
        auto a = file.run({}, inputs);
        auto b = eager.run(file.output_names(), inputs);
        ASSERT_EQ(a.size(), 2u);
        EXPECT_EQ(a[0].shape, (Shape{batch, seq, 32}));
        EXPECT_EQ(a[1].shape, (Shape{batch, 32}));
        for (size_t k = 0; k < a.size(); ++k) EXPECT_LT(max_abs_diff(a[k], b[k]), 1e-5);
    }
}

TEST(Export, EveryOpsetValidates) {
    Checkpoint ckpt = Checkpoint::open(kBert);
    for (int64_t opset = kMinOpset; opset <= kMaxOpset; ++opset) {
        BuiltModel built = build_model(registry(), ckpt, "sequence-classification", opset);
        TempDir dir;
        write_export(built, ckpt, dir.path + "/model.onnx", {});
        std::ostringstream log;
        EXPECT_TRUE(validate_export(built.model, dir.path + "/model.onnx", no_ort(), log)) << "opset " << opset << "\n"
                                                                                          << log.str();
    }
}

// Finds the bytes of a checkpoint weight in the written file and changes one float.
void corrupt_weight(const std::string& file, const Tensor& weight) {
    std::ifstream in(file, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    std::string needle(static_cast<const char*>(weight.data), weight.nbytes());
    size_t at = bytes.find(needle);
    ASSERT_NE(at, std::string::npos) << "weight not found in " << file;
    float v;
    std::memcpy(&v, bytes.data() + at, 4);
    v += 0.5f;
    std::memcpy(bytes.data() + at, &v, 4);
    std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
}

TEST(Export, ValidationCatchesAWeightChangedAfterWriting) {
    Checkpoint ckpt = Checkpoint::open(kBert);
    BuiltModel built = build_model(registry(), ckpt, "sequence-classification");
    for (bool external : {false, true}) {
        TempDir dir;
        std::string path = dir.path + "/model.onnx";
        write_export(built, ckpt, path, {.external_data = external});
        corrupt_weight(external ? path + "_data" : path, ckpt.tensor("classifier.weight"));
        std::ostringstream log;
        EXPECT_FALSE(validate_export(built.model, path, no_ort(), log));
        EXPECT_NE(log.str().find("-[x] values not close enough"), std::string::npos) << log.str();
    }
}

TEST(Export, ValidationCatchesABrokenLowering) {
    Checkpoint ckpt = Checkpoint::open(kBert);
    BuiltModel built = build_model(registry(), ckpt, "sequence-classification", 11);
    Model lowered = lower(built.model, 11);
    // Break the LayerNormalization decomposition: variance over (x - mean)^3.
    bool broken = false;
    for (auto& [name, t] : lowered.initializers)
        if (name.find("LayerNorm") != std::string::npos && t.dtype == DType::f32 && t.numel() == 1 &&
            t.ptr<float>()[0] == 2.f) {
            t = Tensor::from<float>(DType::f32, {}, {3.f});
            broken = true;
        }
    ASSERT_TRUE(broken);
    TempDir dir;
    write_onnx(lowered, dir.path + "/model.onnx");
    std::ostringstream log;
    EXPECT_FALSE(validate_export(built.model, dir.path + "/model.onnx", no_ort(), log));
    EXPECT_NE(log.str().find("-[x]"), std::string::npos) << log.str();
}

TEST(Export, WrittenFilePassesTheChecker) {
    Checkpoint ckpt = Checkpoint::open(std::string(HFX_FIXTURES_DIR) + "/bert/multiple-choice");
    BuiltModel built = build_model(registry(), ckpt, "multiple-choice", 14);
    Model lowered = lower(built.model, 14);
    EXPECT_NO_THROW(check_model(lowered));
    TempDir dir;
    write_onnx(lowered, dir.path + "/model.onnx");
    // The full file, data included, through ONNX's own checker: the merged `graph` field is valid ONNX.
    EXPECT_NO_THROW(onnx::checker::check_model(dir.path + "/model.onnx"));
    EXPECT_NO_THROW(rt::Session(dir.path + "/model.onnx"));
}

}  // namespace
}  // namespace hfx::test
