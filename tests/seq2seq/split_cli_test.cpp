// hfexport export --split from the command line: optimum's three files, each
// validated (against the fixture where it feeds the graph), and one-line
// errors where a split makes no sense.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "support/cli_run.h"
#include "support/golden.h"

namespace fs = std::filesystem;

namespace hfx::test {
namespace {

struct Result {
    int code;
    std::string out;  // stdout and stderr together
};

Result run(const std::string& args) {
    CliResult r = run_cli(std::string("--plugin-dir ") + HFX_PLUGIN_BUILD_DIR + " " + args);
    return {r.code, r.out + r.err};
}

std::string fixture(const std::string& c) { return std::string(HFX_FIXTURES_DIR) + "/" + c; }

TEST(SplitCli, WritesEncoderDecoderAndDecoderWithPast) {
    TempDir dir;
    Result r = run("export --split --no-ort --model " + fixture("bart/seq2seq-lm-with-past") +
                   " --feature seq2seq-lm-with-past --reference " +
                   fixture("bart/seq2seq-lm-with-past/golden.safetensors") + " " + dir.path);
    EXPECT_EQ(r.code, 0) << r.out;
    for (const char* f : {"encoder_model.onnx", "decoder_model.onnx", "decoder_with_past_model.onnx", "config.json"})
        EXPECT_TRUE(fs::exists(fs::path(dir.path) / f)) << f;
    EXPECT_FALSE(fs::exists(fs::path(dir.path) / "model.onnx"));
    EXPECT_NE(r.out.find("hfexport runtime vs reference file"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("-[x]"), std::string::npos) << r.out;
}

TEST(SplitCli, NoPastFeatureWritesTwoFiles) {
    TempDir dir;
    Result r = run("export --split --no-ort --opset 11 --model " + fixture("t5/seq2seq-lm") + " --feature seq2seq-lm " +
                   dir.path);
    EXPECT_EQ(r.code, 0) << r.out;
    EXPECT_TRUE(fs::exists(fs::path(dir.path) / "encoder_model.onnx"));
    EXPECT_TRUE(fs::exists(fs::path(dir.path) / "decoder_model.onnx"));
    EXPECT_FALSE(fs::exists(fs::path(dir.path) / "decoder_with_past_model.onnx"));
}

TEST(SplitCli, RefusesWhatHasNoSplitLayout) {
    TempDir dir;
    Result cls = run("export --split --model " + fixture("bart/sequence-classification") +
                     " --feature sequence-classification " + dir.path);
    EXPECT_EQ(cls.code, 4);  // refused inside the plugin (blocks/seq2seq.h): a plugin error
    EXPECT_NE(cls.out.find("has only the single-file layout"), std::string::npos) << cls.out;
    Result bert = run("export --split --model " + fixture("bert/default") + " --feature default " + dir.path);
    EXPECT_EQ(bert.code, 1);
    EXPECT_NE(bert.out.find("builds no split"), std::string::npos) << bert.out;
    Result file =
        run("export --split --model " + fixture("bart/seq2seq-lm") + " --feature seq2seq-lm " + dir.path + "/x.onnx");
    EXPECT_EQ(file.code, 1);
    EXPECT_NE(file.out.find("give a folder"), std::string::npos) << file.out;
    EXPECT_TRUE(fs::is_empty(dir.path)) << "a refused export leaves no file";
}

}  // namespace
}  // namespace hfx::test
