// optimum's task names beside transformers.onnx's features, and `--task auto` (the default):
// the task optimum-cli infers from config.json's architectures, said in one line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "checkpoint/checkpoint.h"
#include "core/error.h"
#include "features/optimum_tasks.h"
#include "support/cli_run.h"
#include "support/golden.h"

namespace fs = std::filesystem;

namespace hfx::test {
namespace {

const std::string kFixtures = HFX_FIXTURES_DIR;

nlohmann::json config_of(const std::string& fixture) {
    std::ifstream in(kFixtures + "/" + fixture + "/config.json");
    return nlohmann::json::parse(in);
}

TEST(TaskNames, OptimumNamesMapToFeatures) {
    EXPECT_EQ(feature_for_task("feature-extraction"), "default");
    EXPECT_EQ(feature_for_task("fill-mask"), "masked-lm");
    EXPECT_EQ(feature_for_task("text-classification"), "sequence-classification");
    EXPECT_EQ(feature_for_task("text-generation-with-past"), "causal-lm-with-past");
    EXPECT_EQ(feature_for_task("text2text-generation-with-past"), "seq2seq-lm-with-past");
    EXPECT_EQ(feature_for_task("automatic-speech-recognition-with-past"), "speech2seq-lm-with-past");
    EXPECT_EQ(feature_for_task("translation"), "seq2seq-lm");
    EXPECT_EQ(feature_for_task("causal-lm"), "causal-lm");  // transformers.onnx names pass through
    EXPECT_EQ(optimum_task_name("causal-lm-with-past"), "text-generation-with-past");
    EXPECT_EQ(optimum_task_name("multiple-choice"), "multiple-choice");
    EXPECT_THROW(feature_for_task("fill-mask-with-past"), Error);  // no such feature
    try {
        feature_for_task("text-to-image");
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("task 'text-to-image': unknown (optimum names: feature-extraction"),
                  std::string::npos)
            << e.what();
    }
}

// Each fixture's architectures name its task; auto must pick it (with the cache for generative ones).
TEST(TaskNames, AutoInfersWhatOptimumWould) {
    struct Case {
        const char* fixture;
        const char* feature;
    } cases[] = {
        {"bert/default", "default"},
        {"bert/masked-lm", "masked-lm"},
        {"bert/sequence-classification", "sequence-classification"},
        {"bert/token-classification", "token-classification"},
        {"bert/question-answering", "question-answering"},
        {"bert/multiple-choice", "multiple-choice"},
        {"gpt2/causal-lm", "causal-lm-with-past"},
        {"llama/causal-lm", "causal-lm-with-past"},
        {"t5/seq2seq-lm", "seq2seq-lm-with-past"},
        {"bart/seq2seq-lm", "seq2seq-lm-with-past"},
        {"whisper/speech2seq-lm", "speech2seq-lm-with-past"},
        {"vit/image-classification", "image-classification"},
        {"flaubert/masked-lm", "masked-lm"},
    };
    for (const Case& c : cases) {
        InferredTask t = infer_task(config_of(c.fixture), plugin_registry());
        EXPECT_EQ(t.feature, c.feature) << c.fixture << ": " << t.because;
        EXPECT_EQ(t.because.find('\n'), std::string::npos);
    }
    nlohmann::json bare = config_of("bert/masked-lm");
    bare.erase("architectures");
    InferredTask t = infer_task(bare, plugin_registry());
    EXPECT_EQ(t.feature, "default");
    EXPECT_NE(t.because.find("names no 'architectures'"), std::string::npos) << t.because;
}

TEST(TaskNames, CliTakesOptimumNamesAndSaysWhatAutoChose) {
    TempDir dir;
    CliResult named = run_cli("export --no-ort --task text-classification --model " + kFixtures +
                              "/bert/sequence-classification " + dir.path + "/a");
    EXPECT_EQ(named.code, 0) << named.err;
    EXPECT_NE(named.out.find("\"logits\""), std::string::npos) << named.out;

    CliResult automatic = run_cli("export --no-ort --model " + kFixtures + "/gpt2/causal-lm " + dir.path + "/b");
    EXPECT_EQ(automatic.code, 0) << automatic.err;
    EXPECT_EQ(
        automatic.out.rfind(
            "task auto: text-generation-with-past (causal-lm-with-past), from architectures 'GPT2LMHeadModel'", 0),
        0u)
        << automatic.out;
    EXPECT_NE(automatic.out.find("present.0.key"), std::string::npos) << automatic.out;

    CliResult unknown =
        run_cli("export --task text-to-image --model " + kFixtures + "/bert/default " + dir.path + "/c");
    EXPECT_EQ(unknown.code, 1);
    EXPECT_NE(unknown.err.find("task 'text-to-image': unknown"), std::string::npos) << unknown.err;
    EXPECT_FALSE(fs::exists(dir.path + "/c/model.onnx"));

    CliResult both = run_cli("export --task fill-mask --feature masked-lm --model " + kFixtures + "/bert/masked-lm " +
                             dir.path + "/d");
    EXPECT_EQ(both.code, 1);
    EXPECT_NE(both.err.find("options '--task' and '--feature': give one"), std::string::npos) << both.err;
}

TEST(TaskNames, FeaturesListingShowsBothNames) {
    CliResult r = run_cli("features --model-type gpt2");
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("causal-lm-with-past  (text-generation-with-past)"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace hfx::test
