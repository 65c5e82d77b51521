// `hfexport export --format torchscript` as a user runs it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "support/cli_run.h"

namespace fs = std::filesystem;

namespace hfx::test {
namespace {

const std::string kDefault = std::string(HFX_SOURCE_DIR) + "/share/default-checkpoint";
const std::string kFixtures = HFX_FIXTURES_DIR;

TEST(TorchScriptCli, ExportsValidatesAndCopiesTheConfig) {
    TempDir dir;
    CliResult r = run_cli("export --model " + kDefault + " --format torchscript " + dir.path + "/out");
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("Validating TorchScript module (libtorch vs eager reference, batch=2, sequence=5)"),
              std::string::npos)
        << r.out;
    EXPECT_EQ(r.out.find("-[x]"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("All good, model saved at: " + dir.path + "/out/model.pt"), std::string::npos) << r.out;
    EXPECT_TRUE(fs::exists(dir.path + "/out/config.json"));
}

TEST(TorchScriptCli, ValidateTakesAPtFile) {
    TempDir dir;
    const std::string ckpt = kFixtures + "/gpt2/causal-lm-with-past";
    CliResult r = run_cli("export --model " + ckpt +
                          " --feature causal-lm-with-past --format torchscript --no-validate " + dir.path);
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    r = run_cli("validate --model " + ckpt + " --feature causal-lm-with-past " + dir.path + "/model.pt --reference " +
                ckpt + "/golden.safetensors");
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("past_sequence=0"), std::string::npos) << r.out;  // the empty-past size
    EXPECT_NE(r.out.find("libtorch vs reference file"), std::string::npos) << r.out;
    // Any file that is not a TorchScript archive: one line naming it.
    std::ofstream(dir.path + "/bad.pt") << "not a zip";
    r = run_cli("validate --model " + ckpt + " --feature causal-lm-with-past " + dir.path + "/bad.pt");
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("TorchScript file '" + dir.path + "/bad.pt'"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(TorchScriptCli, SplitLayoutWritesOneModulePerGraph) {
    TempDir dir;
    CliResult r = run_cli("export --model " + kFixtures +
                          "/t5/seq2seq-lm-with-past --feature seq2seq-lm-with-past --split "
                          "--format torchscript " +
                          dir.path + " --reference " + kFixtures + "/t5/seq2seq-lm-with-past/golden.safetensors");
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    for (const char* f : {"encoder_model.pt", "decoder_model.pt", "decoder_with_past_model.pt"})
        EXPECT_TRUE(fs::exists(dir.path + "/" + f)) << f;
    EXPECT_NE(r.out.find("libtorch vs reference file"), std::string::npos) << r.out;
}

TEST(TorchScriptCli, OnnxOnlyOptionsAreRefused) {
    TempDir dir;
    CliResult r = run_cli("export --model " + kDefault + " --format torchscript --external-data " + dir.path);
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("option '--external-data': ONNX only"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir.path + "/model.pt"));
    r = run_cli("export --model " + kDefault + " --format tflite " + dir.path);
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("--format"), std::string::npos) << r.err;
}

TEST(TorchScriptCli, WithoutTheBackendSaysHowToGetIt) {
    TempDir dir;
    setenv("HFEXPORT_TORCHSCRIPT_BACKEND", "", 1);  // as if built without libtorch
    CliResult r = run_cli("export --model " + kDefault + " --format torchscript " + dir.path + "/out");
    unsetenv("HFEXPORT_TORCHSCRIPT_BACKEND");
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("install Debian's libtorch-dev"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(fs::exists(dir.path + "/out/model.pt"));
}

}  // namespace
}  // namespace hfx::test
