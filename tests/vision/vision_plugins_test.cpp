// Vision plugin paths that the golden fixtures do not reach, checked against
// what transformers computes from fixture tensors:
//  - DeiTForImageClassificationWithTeacher: logits = mean of the [CLS] and
//    distillation heads, from the deit/default fixture's last_hidden_state;
//  - Swin checkpoints without stored relative_position_index buffers (the
//    table is then computed at export time and must equal the stored one);
//  - CLIP with text and image batches of different sizes (separate dynamic axes).
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "checkpoint/checkpoint.h"
#include "checkpoint/safetensors_write.h"
#include "export/exporter.h"
#include "runtime/session.h"
#include "support/golden.h"

namespace fs = std::filesystem;

namespace hfx::test {
namespace {

// Exports `ckpt_dir` for `feature` and runs it on `feeds`.
std::vector<Tensor> export_and_run(const std::string& ckpt_dir, const std::string& feature,
                                   const std::map<std::string, Tensor>& feeds,
                                   const std::vector<std::string>& outputs) {
    Checkpoint ckpt = Checkpoint::open(ckpt_dir);
    BuiltModel built = build_model(plugin_registry(), ckpt, feature);
    TempDir out;
    write_export(built, ckpt, out.path + "/model.onnx", {});
    rt::Session session(out.path + "/model.onnx");
    return session.run(outputs, feeds);
}

Tensor numbers(Shape shape, float scale, int seed) {
    Tensor t = Tensor::empty(DType::f32, shape);
    for (int64_t k = 0; k < t.numel(); ++k)
        t.ptr<float>()[k] = scale * float(((k * 7919 + seed * 104729) % 201) - 100) / 100.f;
    return t;
}

TEST(VisionPlugins, DeiTWithTeacherAveragesBothHeads) {
    if (!plugin_registry().find("deit")) GTEST_SKIP() << "no deit plugin";
    std::string fixture = std::string(HFX_FIXTURES_DIR) + "/deit/default";
    TempDir dir;
    auto config = nlohmann::json::parse(std::ifstream(fixture + "/config.json"));
    config["architectures"] = {"DeiTForImageClassificationWithTeacher"};
    config["id2label"] = {{"0", "a"}, {"1", "b"}, {"2", "c"}};
    std::ofstream(dir.path + "/config.json") << config.dump();

    // DeiTModel weights under "deit." plus the two heads.
    auto weights = read_safetensors(fixture + "/model.safetensors");
    std::vector<std::pair<std::string, Tensor>> list;
    for (auto& [name, t] : weights)
        if (name.rfind("pooler.", 0) != 0) list.emplace_back("deit." + name, t);
    Tensor wc = numbers({3, 32}, 0.5f, 1), bc = numbers({3}, 0.1f, 2), wd = numbers({3, 32}, 0.5f, 3),
           bd = numbers({3}, 0.1f, 4);
    list.emplace_back("cls_classifier.weight", wc);
    list.emplace_back("cls_classifier.bias", bc);
    list.emplace_back("distillation_classifier.weight", wd);
    list.emplace_back("distillation_classifier.bias", bd);
    write_safetensors(dir.path + "/model.safetensors", list);

    auto golden = read_safetensors(fixture + "/golden.safetensors");
    Tensor logits =
        export_and_run(dir.path, "image-classification", {{"pixel_values", golden.at("pixel_values")}}, {"logits"})[0];
    ASSERT_EQ(logits.shape, (Shape{2, 3}));

    // (cls_classifier(h[:, 0]) + distillation_classifier(h[:, 1])) / 2 from transformers' last_hidden_state.
    const Tensor& hidden = golden.at("last_hidden_state");  // [2, 227, 32]
    Tensor expected = Tensor::empty(DType::f32, {2, 3});
    for (int64_t b = 0; b < 2; ++b)
        for (int64_t l = 0; l < 3; ++l) {
            double cls = bc.ptr<float>()[l], dist = bd.ptr<float>()[l];
            for (int64_t h = 0; h < 32; ++h) {
                cls += double(wc.ptr<float>()[l * 32 + h]) * hidden.ptr<float>()[(b * 227 + 0) * 32 + h];
                dist += double(wd.ptr<float>()[l * 32 + h]) * hidden.ptr<float>()[(b * 227 + 1) * 32 + h];
            }
            expected.ptr<float>()[b * 3 + l] = float((cls + dist) / 2);
        }
    EXPECT_TRUE(all_close(logits, expected, 1e-4, 1e-4)) << "max |diff| " << max_abs_diff(logits, expected);
}

TEST(VisionPlugins, SwinComputesAMissingRelativePositionIndex) {
    if (!plugin_registry().find("swin")) GTEST_SKIP() << "no swin plugin";
    std::string fixture = std::string(HFX_FIXTURES_DIR) + "/swin/image-classification";
    TempDir dir;
    fs::copy_file(fixture + "/config.json", dir.path + "/config.json");
    std::vector<std::pair<std::string, Tensor>> list;
    int dropped = 0;
    for (auto& [name, t] : read_safetensors(fixture + "/model.safetensors")) {
        if (name.find("relative_position_index") != std::string::npos) ++dropped;
        else list.emplace_back(name, t);
    }
    ASSERT_GT(dropped, 0);
    write_safetensors(dir.path + "/model.safetensors", list);

    auto golden = read_safetensors(fixture + "/golden.safetensors");
    Tensor logits =
        export_and_run(dir.path, "image-classification", {{"pixel_values", golden.at("pixel_values")}}, {"logits"})[0];
    EXPECT_TRUE(all_close(logits, golden.at("logits"), 1e-4, 1e-4))
        << "max |diff| " << max_abs_diff(logits, golden.at("logits"));
}

// Rows `rows` of `t` along axis 0.
Tensor rows_of(const Tensor& t, const std::vector<int64_t>& rows) {
    Shape shape = t.shape;
    shape[0] = int64_t(rows.size());
    Tensor out = Tensor::empty(t.dtype, shape);
    size_t row_bytes = t.nbytes() / size_t(t.shape[0]);
    for (size_t k = 0; k < rows.size(); ++k)
        std::memcpy(static_cast<char*>(out.data) + k * row_bytes,
                    static_cast<const char*>(t.data) + size_t(rows[k]) * row_bytes, row_bytes);
    return out;
}

TEST(VisionPlugins, ClipBatchesTextsAndImagesSeparately) {
    if (!plugin_registry().find("clip")) GTEST_SKIP() << "no clip plugin";
    std::string fixture = std::string(HFX_FIXTURES_DIR) + "/clip/default";
    auto golden = read_safetensors(fixture + "/golden.safetensors");
    // Three texts (rows 0, 1, 0 of the fixture) against one image (row 1).
    std::map<std::string, Tensor> feeds = {{"input_ids", rows_of(golden.at("input_ids"), {0, 1, 0})},
                                           {"attention_mask", rows_of(golden.at("attention_mask"), {0, 1, 0})},
                                           {"pixel_values", rows_of(golden.at("pixel_values"), {1})}};
    auto out = export_and_run(fixture, "default", feeds,
                              {"logits_per_image", "logits_per_text", "text_embeds", "image_embeds"});
    ASSERT_EQ(out[0].shape, (Shape{1, 3}));
    ASSERT_EQ(out[1].shape, (Shape{3, 1}));
    const Tensor& ref = golden.at("logits_per_image");  // [image, text] = [2, 2]
    Tensor expect =
        Tensor::from<float>(DType::f32, {1, 3}, {ref.ptr<float>()[2], ref.ptr<float>()[3], ref.ptr<float>()[2]});
    EXPECT_TRUE(all_close(out[0], expect, 1e-4, 1e-4)) << "max |diff| " << max_abs_diff(out[0], expect);
    EXPECT_TRUE(all_close(out[1], expect.reshaped({3, 1}), 1e-4, 1e-4));
    Tensor text_ref = rows_of(golden.at("text_embeds"), {0, 1, 0}), image_ref = rows_of(golden.at("image_embeds"), {1});
    EXPECT_TRUE(all_close(out[2], text_ref, 1e-4, 1e-4)) << "max |diff| " << max_abs_diff(out[2], text_ref);
    EXPECT_TRUE(all_close(out[3], image_ref, 1e-4, 1e-4)) << "max |diff| " << max_abs_diff(out[3], image_ref);
}

}  // namespace
}  // namespace hfx::test
