// Self-consistency checks of the encoder-family plugins on paths the golden
// fixtures do not reach: results independent of right padding (RoBERTa's
// padding-index positions), BigBird's question-token mask (no sep token in the
// fixture inputs), CLIP's eos pooling at a position other than the last token,
// and a config key the export refuses rather than ignore.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "checkpoint/checkpoint.h"
#include "checkpoint/safetensors_write.h"
#include "export/exporter.h"
#include "runtime/session.h"
#include "support/golden.h"

namespace hfx::test {
namespace {

struct Exported {
    TempDir dir;
    std::unique_ptr<rt::Session> session;
    std::map<std::string, Tensor> golden;
};

std::unique_ptr<Exported> export_case(const std::string& arch, const std::string& feature) {
    std::string path = std::string(HFX_FIXTURES_DIR) + "/" + arch + "/" + feature;
    Checkpoint ckpt = Checkpoint::open(path);
    auto e = std::make_unique<Exported>();
    write_export(build_model(plugin_registry(), ckpt, feature), ckpt, e->dir.path + "/model.onnx", {});
    e->session = std::make_unique<rt::Session>(e->dir.path + "/model.onnx");
    e->golden = read_safetensors(path + "/golden.safetensors");
    return e;
}

// Row `row` of a [b, s] int64 tensor, first `len` columns, as [1, len].
Tensor row_prefix(const Tensor& t, int64_t row, int64_t len) {
    std::vector<int64_t> v(t.ptr<int64_t>() + row * t.shape[1], t.ptr<int64_t>() + row * t.shape[1] + len);
    return Tensor::from(DType::i64, {1, len}, v);
}

TEST(EncoderFamily, RobertaIgnoresRightPadding) {
    auto e = export_case("roberta", "default");
    const Tensor& ids = e->golden.at("input_ids");
    const Tensor& mask = e->golden.at("attention_mask");
    // Row 1 holds 5 tokens and 2 padding; run it padded and cut to its 5 tokens.
    auto padded = e->session->run(
        {"last_hidden_state"}, {{"input_ids", row_prefix(ids, 1, 7)}, {"attention_mask", row_prefix(mask, 1, 7)}})[0];
    auto cut = e->session->run({"last_hidden_state"},
                               {{"input_ids", row_prefix(ids, 1, 5)}, {"attention_mask", row_prefix(mask, 1, 5)}})[0];
    ASSERT_EQ(cut.shape, (Shape{1, 5, 32}));
    double worst = 0;
    for (int64_t k = 0; k < 5 * 32; ++k)
        worst = std::max(worst, double(std::abs(padded.ptr<float>()[k] - cut.ptr<float>()[k])));
    EXPECT_LT(worst, 1e-5);
}

// LayoutLMSelfAttention is BERT's: a relative position_embedding_type adds scores
// the export does not build, so it is an error that names the key.
TEST(EncoderFamily, LayoutLMRejectsRelativePositions) {
    std::string src = std::string(HFX_FIXTURES_DIR) + "/layoutlm/default";
    TempDir dir;
    std::filesystem::copy_file(src + "/model.safetensors", dir.path + "/model.safetensors");
    std::stringstream text;
    text << std::ifstream(src + "/config.json").rdbuf();
    std::string config = text.str();
    size_t at = config.find("\"absolute\"");
    ASSERT_NE(at, std::string::npos);
    std::ofstream(dir.path + "/config.json") << config.replace(at, 10, "\"relative_key\"");
    Checkpoint ckpt = Checkpoint::open(dir.path);
    std::string error;
    try {
        build_model(plugin_registry(), ckpt, "default");
    } catch (const std::exception& e) {
        error = e.what();
    }
    EXPECT_NE(error.find("config key 'position_embedding_type': 'relative_key' is not supported"), std::string::npos)
        << error;
}

TEST(EncoderFamily, BigBirdMasksQuestionTokens) {
    auto e = export_case("big_bird", "question-answering");
    Tensor ids = e->golden.at("input_ids").clone();
    ids.ptr<int64_t>()[3] = 66;  // sep_token_id in row 0: question = positions 1..3 (0 is kept)
    auto out = e->session->run({"start_logits", "end_logits"}, {{"input_ids", ids},
                                                                {"attention_mask", e->golden.at("attention_mask")},
                                                                {"token_type_ids", e->golden.at("token_type_ids")}});
    for (const Tensor& logits : out) {
        ASSERT_EQ(logits.shape, (Shape{2, 7}));
        for (int64_t b = 0; b < 2; ++b)
            for (int64_t s = 0; s < 7; ++s) {
                bool question = b == 0 && s >= 1 && s <= 3;
                float v = logits.ptr<float>()[b * 7 + s];
                if (question) EXPECT_LT(v, -9e5f) << b << "," << s;
                else EXPECT_GT(v, -100.f) << b << "," << s;
            }
    }
}

TEST(EncoderFamily, ClipTextPoolsAtTheHighestId) {
    auto e = export_case("clip_text_model", "default");
    Tensor ids = e->golden.at("input_ids").clone();
    // eos_token_id == 2: pooling is at argmax(input_ids); move row 0's maximum to position 2.
    for (int64_t s = 0; s < 7; ++s) ids.ptr<int64_t>()[s] = 3 + s;
    ids.ptr<int64_t>()[2] = 200;
    auto out = e->session->run({"last_hidden_state", "pooler_output"},
                               {{"input_ids", ids}, {"attention_mask", e->golden.at("attention_mask")}});
    const float* hidden = out[0].ptr<float>();
    const float* pooled = out[1].ptr<float>();
    for (int64_t k = 0; k < 32; ++k) EXPECT_EQ(pooled[k], hidden[2 * 32 + k]);
}

}  // namespace
}  // namespace hfx::test
