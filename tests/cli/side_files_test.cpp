// An export folder carries what optimum saves beside the model: the tokenizer and processor files
// and generation_config.json, byte for byte, and nothing else of the checkpoint folder.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/cli_run.h"
#include "support/golden.h"

namespace fs = std::filesystem;

namespace hfx::test {
namespace {

std::string slurp(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(ExportFolder, TokenizerAndProcessorFilesAreCopied) {
    TempDir dir;
    std::string ckpt = dir.path + "/ckpt", bert = std::string(HFX_FIXTURES_DIR) + "/bert/masked-lm";
    fs::create_directories(ckpt);
    fs::copy_file(bert + "/config.json", ckpt + "/config.json");
    fs::copy_file(bert + "/model.safetensors", ckpt + "/model.safetensors");
    const std::vector<std::pair<std::string, std::string>> side = {
        {"vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n"},
        {"tokenizer_config.json", R"({"do_lower_case": true, "tokenizer_class": "BertTokenizer"})"},
        {"special_tokens_map.json", R"({"cls_token": "[CLS]", "sep_token": "[SEP]"})"},
        {"tokenizer.json", R"({"version": "1.0", "model": {"type": "WordPiece"}})"},
        {"sentencepiece.bpe.model", std::string("\x0a\x03\x00\xff", 4)},
    };
    for (const auto& [name, text] : side) std::ofstream(ckpt + "/" + name, std::ios::binary) << text;
    std::ofstream(ckpt + "/README.md") << "# a model card\n";
    std::ofstream(ckpt + "/training_args.bin") << "not for the export";

    CliResult r = run_cli("export --no-ort --task fill-mask --model " + ckpt + " " + dir.path + "/out");
    ASSERT_EQ(r.code, 0) << r.err;
    for (const auto& [name, text] : side) {
        ASSERT_TRUE(fs::exists(dir.path + "/out/" + name)) << name;
        EXPECT_EQ(slurp(dir.path + "/out/" + name), text) << name;
    }
    EXPECT_FALSE(fs::exists(dir.path + "/out/README.md"));
    EXPECT_FALSE(fs::exists(dir.path + "/out/training_args.bin"));
    for (const auto& e : fs::directory_iterator(dir.path + "/out"))
        EXPECT_EQ(e.path().string().find(".tmp"), std::string::npos) << e.path();
}

}  // namespace
}  // namespace hfx::test
