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
#include "checkpoint/safetensors_write.h"
#include "onnx/load.h"
#include "export/exporter.h"
#include "torchscript/torchscript.h"
#include "export/lower.h"
#include "export/writer.h"
#include "runtime/session.h"
#include "support/golden.h"
#include "validate/dummy_inputs.h"
#include "validate/ort_oracle.h"
#include "validate/validate.h"

namespace hfx::test {
namespace {

const std::string kBert = std::string(HFX_FIXTURES_DIR) + "/bert/sequence-classification";

ValidationOptions no_ort() {
    ValidationOptions o;
    o.use_ort = false;
    return o;
}

TEST(Export, RunsAtTwoSizesLikeTheEagerGraph) {
    Checkpoint ckpt = Checkpoint::open(kBert);
    BuiltModel built = build_model(plugin_registry(), ckpt, "default");
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
        BuiltModel built = build_model(plugin_registry(), ckpt, "sequence-classification", opset);
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
    BuiltModel built = build_model(plugin_registry(), ckpt, "sequence-classification");
    for (bool external : {false, true}) {
        TempDir dir;
        std::string path = dir.path + "/model.onnx";
        write_export(built, ckpt, path, {.external_data = external});
        // A weight of the data file when there is one (the classifier's 2 x 32 floats stay inline).
        if (external) corrupt_weight(path + "_data", ckpt.tensor("bert.embeddings.position_embeddings.weight"));
        else corrupt_weight(path, ckpt.tensor("classifier.weight"));
        std::ostringstream log;
        EXPECT_FALSE(validate_export(built.model, path, no_ort(), log));
        EXPECT_NE(log.str().find("-[x] values not close enough"), std::string::npos) << log.str();
    }
}

TEST(Export, ValidationCatchesABrokenLowering) {
    Checkpoint ckpt = Checkpoint::open(kBert);
    BuiltModel built = build_model(plugin_registry(), ckpt, "sequence-classification", 11);
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
    BuiltModel built = build_model(plugin_registry(), ckpt, "multiple-choice", 14);
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

namespace hfx::test {
namespace {

// Runs the written file on the fixture inputs and compares with its outputs.
double golden_diff(const std::string& onnx, const std::string& fixture) {
    auto golden = read_safetensors(fixture + "/golden.safetensors");
    rt::Session s(onnx);
    std::map<std::string, Tensor> feeds;
    for (const auto& n : s.input_names()) feeds[n] = golden.at(n);
    auto names = s.output_names();
    auto outs = s.run(names, feeds);
    double worst = 0;
    for (size_t k = 0; k < names.size(); ++k)
        if (golden.count(names[k])) worst = std::max(worst, max_abs_diff(outs[k], golden.at(names[k])));
    return worst;
}

// ONNX Runtime's outputs for the fixture's inputs vs the fixture's outputs (nullopt without ORT).
std::optional<double> ort_golden_diff(const std::string& onnx, const std::string& fixture) {
    std::optional<OrtOracle> ort = find_ort();
    if (std::getenv("HFEXPORT_ORT_NODE_MODULES"))
        EXPECT_TRUE(ort) << "HFEXPORT_ORT_NODE_MODULES is set but ONNX Runtime was not found";
    if (!ort) return std::nullopt;
    auto golden = read_safetensors(fixture + "/golden.safetensors");
    rt::Session s(onnx);
    std::map<std::string, Tensor> feeds;
    for (const auto& n : s.input_names()) feeds[n] = golden.at(n);
    auto outs = ort_run(*ort, onnx, feeds);
    double worst = 0;
    for (const auto& [name, t] : outs)
        if (golden.count(name)) worst = std::max(worst, max_abs_diff(t, golden.at(name)));
    return worst;
}

TEST(Export, HalfPrecisionCheckpointsAreWrittenInTheirOwnType) {
    for (DType t : {DType::f16, DType::bf16}) {
        TempDir dir;
        std::filesystem::copy_file(kBert + "/config.json", dir.path + "/config.json");
        std::vector<std::pair<std::string, Tensor>> halves;
        size_t checkpoint_bytes = 0;
        for (auto& [name, w] : read_safetensors(kBert + "/model.safetensors")) {
            Tensor h = Tensor::empty(t, w.shape);
            for (int64_t k = 0; k < w.numel(); ++k) {
                float v = w.ptr<float>()[k];
                uint32_t bits;
                std::memcpy(&bits, &v, 4);
                h.ptr<uint16_t>()[k] = t == DType::f16 ? float_to_half(v) : uint16_t(bits >> 16);
            }
            checkpoint_bytes += h.nbytes();
            halves.emplace_back(name, h);
        }
        write_safetensors(dir.path + "/model.safetensors", halves);
        Checkpoint ckpt = Checkpoint::open(dir.path);
        BuiltModel built = build_model(plugin_registry(), ckpt, "sequence-classification");
        for (bool external : {false, true}) {
            std::string out = dir.path + (external ? "/ext" : "/out"), path = out + "/model.onnx";
            write_export(built, ckpt, resolve_output_path(out), {.external_data = external});
            Model written = load_onnx(path);
            // Every weight in its checkpoint type, read by exactly one Cast to float32.
            size_t weight_bytes = 0;
            std::map<std::string, int> casts;
            for (const Node& n : written.nodes)
                if (n.op == "Cast" && written.initializers.count(n.inputs[0])) {
                    EXPECT_EQ(n.attr_i("to", 0), int64_t(DType::f32)) << n.name;
                    ++casts[n.inputs[0]];
                }
            for (const auto& [name, w] : written.initializers) {
                if (name.rfind("bert.", 0) != 0 && name.rfind("classifier.", 0) != 0) continue;
                EXPECT_EQ(w.dtype, t) << name;
                EXPECT_EQ(casts[name], 1) << name;
                weight_bytes += w.nbytes();
            }
            EXPECT_EQ(weight_bytes, checkpoint_bytes) << "every checkpoint tensor, once, in its own size";
            std::ostringstream log;
            EXPECT_TRUE(validate_export(built.model, path, no_ort(), log)) << log.str();
            EXPECT_LT(golden_diff(path, kBert), 5e-2) << dtype_name(t);  // rounding of the weights
            if (auto d = ort_golden_diff(path, kBert)) EXPECT_LT(*d, 5e-2) << dtype_name(t) << " (ONNX Runtime)";
        }
        if (torchscript_available()) {  // TorchScript still widens them (libtorch runs float32 modules)
            std::ostringstream log;
            write_export(built, ckpt, dir.path + "/out/model.pt", {.format = Format::torchscript});
            EXPECT_TRUE(validate_torchscript(built.model, dir.path + "/out/model.pt", no_ort(), log)) << log.str();
        }
    }
}

TEST(Export, Bfloat16BelowOpset13IsWrittenAsFloat32) {
    // Cast takes bfloat16 from opset 13 on: below it the weights are widened, as before.
    TempDir dir;
    std::filesystem::copy_file(kBert + "/config.json", dir.path + "/config.json");
    std::vector<std::pair<std::string, Tensor>> halves;
    for (auto& [name, w] : read_safetensors(kBert + "/model.safetensors")) {
        Tensor h = Tensor::empty(DType::bf16, w.shape);
        for (int64_t k = 0; k < w.numel(); ++k) {
            uint32_t bits;
            std::memcpy(&bits, &w.ptr<float>()[k], 4);
            h.ptr<uint16_t>()[k] = uint16_t(bits >> 16);
        }
        halves.emplace_back(name, h);
    }
    write_safetensors(dir.path + "/model.safetensors", halves);
    Checkpoint ckpt = Checkpoint::open(dir.path);
    BuiltModel built = build_model(plugin_registry(), ckpt, "sequence-classification", 12);
    write_export(built, ckpt, dir.path + "/model.onnx", {});
    Model written = load_onnx(dir.path + "/model.onnx");
    for (const auto& [name, w] : written.initializers)
        if (name.rfind("bert.", 0) == 0) EXPECT_EQ(w.dtype, DType::f32) << name;
    for (const Node& n : written.nodes)
        if (n.op == "Cast") EXPECT_FALSE(written.initializers.count(n.inputs[0])) << n.name << " casts a weight";
    std::ostringstream log;
    EXPECT_TRUE(validate_export(built.model, dir.path + "/model.onnx", no_ort(), log)) << log.str();
}

TEST(Export, ShardedAndPickledCheckpointsExportTheSameModel) {
    const std::string fixture = std::string(HFX_FIXTURES_DIR) + "/bert/masked-lm";
    TempDir sharded, pickled;
    // Two shards and an index, as transformers writes them.
    auto all = read_safetensors(fixture + "/model.safetensors");
    std::vector<std::pair<std::string, Tensor>> a, b;
    nlohmann::json index;
    for (auto& [name, w] : all) {
        bool first = name.find("layer.1.") == std::string::npos;
        (first ? a : b).emplace_back(name, w);
        index["weight_map"][name] = first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
    }
    write_safetensors(sharded.path + "/model-00001-of-00002.safetensors", a);
    write_safetensors(sharded.path + "/model-00002-of-00002.safetensors", b);
    std::ofstream(sharded.path + "/model.safetensors.index.json") << index.dump();
    std::filesystem::copy_file(fixture + "/config.json", sharded.path + "/config.json");
    std::filesystem::copy_file(fixture + "/config.json", pickled.path + "/config.json");
    std::filesystem::copy_file(fixture + "/pytorch_model.bin", pickled.path + "/pytorch_model.bin");
    for (const std::string& dir : {sharded.path, pickled.path}) {
        Checkpoint ckpt = Checkpoint::open(dir);
        BuiltModel built = build_model(plugin_registry(), ckpt, "masked-lm");
        write_export(built, ckpt, resolve_output_path(dir + "/out"), {});
        EXPECT_LT(golden_diff(dir + "/out/model.onnx", fixture), 1e-4) << dir;
    }
}

}  // namespace
}  // namespace hfx::test
