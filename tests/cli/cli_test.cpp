// The hfexport command line as a user meets it: the default export, the
// features listing, and every kind of bad input giving a one-line error, a
// non-zero exit and no output file.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "checkpoint/checkpoint.h"
#include "checkpoint/safetensors_write.h"
#include "support/cli_run.h"
#include "support/golden.h"

namespace fs = std::filesystem;

namespace hfx::test {
namespace {

using Result = CliResult;
Result run(const std::string& args) { return run_cli(args); }

const std::string kBert = std::string(HFX_FIXTURES_DIR) + "/bert/sequence-classification";

// A copy of the bert fixture that a test may break.
std::string copy_bert(const TempDir& dir) {
    std::string d = dir.path + "/ckpt";
    fs::create_directories(d);
    fs::copy_file(kBert + "/config.json", d + "/config.json");
    fs::copy_file(kBert + "/model.safetensors", d + "/model.safetensors");
    for (auto& p : fs::directory_iterator(d)) fs::permissions(p, fs::perms::owner_write, fs::perm_options::add);
    return d;
}

void expect_clean_failure(const Result& r, const std::string& message, const std::string& out_dir) {
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find(message), std::string::npos) << "stderr was: " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "expected one line, got: " << r.err;
    std::error_code ec;
    if (fs::exists(out_dir, ec))
        for (auto& p : fs::directory_iterator(out_dir)) ADD_FAILURE() << "left behind: " << p.path();
}

TEST(Cli, ExportsAndValidatesTheFixture) {
    TempDir out;
    Result r = run("export --model " + kBert + " --feature sequence-classification " + out.path + "/onnx");
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("-[\u2713] ONNX model output names match reference model ({'logits'})"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("-[\u2713] (3, 2) matches (3, 2)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("All good, model saved at: " + out.path + "/onnx/model.onnx"), std::string::npos);
    EXPECT_EQ(r.out.find("-[x]"), std::string::npos);
    EXPECT_TRUE(fs::exists(out.path + "/onnx/config.json"));
}

TEST(Cli, ReferenceFileIsCompared) {
    TempDir out;
    Result r = run("export --model " + kBert + " --feature sequence-classification --reference " + kBert +
                   "/golden.safetensors " + out.path);
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("reference file"), std::string::npos);
    EXPECT_NE(r.out.find("-[\u2713] (2, 2) matches (2, 2)"), std::string::npos) << r.out;
}

TEST(Cli, FeaturesJson) {
    Result r = run("features --model-type bert --json");
    ASSERT_EQ(r.code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    std::vector<std::string> want = {
        "default",        "masked-lm", "sequence-classification", "token-classification", "question-answering",
        "multiple-choice"};
    EXPECT_EQ(j["bert"].get<std::vector<std::string>>(), want);
}

TEST(Cli, MissingConfig) {
    TempDir dir;
    std::string d = copy_bert(dir);
    fs::remove(d + "/config.json");
    expect_clean_failure(run("export --model " + d + " " + dir.path + "/out"), "config.json", dir.path + "/out");
}

TEST(Cli, UnknownModelType) {
    TempDir dir;
    std::string d = copy_bert(dir);
    std::ofstream(d + "/config.json") << R"({"model_type": "no-such-model"})";
    expect_clean_failure(run("export --model " + d + " " + dir.path + "/out"), "model type 'no-such-model'",
                         dir.path + "/out");
}

TEST(Cli, UnsupportedFeatureListsSupported) {
    TempDir dir;
    Result r = run("export --model " + kBert + " --feature causal-lm " + dir.path + "/out");
    expect_clean_failure(r, "feature 'causal-lm': not supported by model type 'bert' (supported: default, masked-lm",
                         dir.path + "/out");
}

TEST(Cli, TruncatedSafetensors) {
    TempDir dir;
    std::string d = copy_bert(dir);
    fs::resize_file(d + "/model.safetensors", 5);
    expect_clean_failure(run("export --model " + d + " " + dir.path + "/out"), "model.safetensors", dir.path + "/out");
}

TEST(Cli, CorruptedSafetensorsHeader) {
    TempDir dir;
    std::string d = copy_bert(dir);
    {
        std::fstream f(d + "/model.safetensors", std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(8);
        f.write("#garbage#", 9);
    }
    expect_clean_failure(run("export --model " + d + " " + dir.path + "/out"), "model.safetensors", dir.path + "/out");
}

TEST(Cli, MissingTensor) {
    TempDir dir;
    std::string d = copy_bert(dir);
    {
        auto all = read_safetensors(kBert + "/model.safetensors");
        std::vector<std::pair<std::string, Tensor>> kept;
        for (auto& [n, t] : all)
            if (n != "classifier.weight") kept.emplace_back(n, t);
        write_safetensors(d + "/model.safetensors", kept);
    }
    expect_clean_failure(run("export --model " + d + " --feature sequence-classification " + dir.path + "/out"),
                         "tensor 'classifier.weight': not found", dir.path + "/out");
}

TEST(Cli, ShapeNotMatchingConfig) {
    TempDir dir;
    std::string d = copy_bert(dir);
    std::ifstream in(d + "/config.json");
    auto cfg = nlohmann::json::parse(in);
    cfg["intermediate_size"] = 40;
    std::ofstream(d + "/config.json") << cfg.dump();
    expect_clean_failure(run("export --model " + d + " --feature sequence-classification " + dir.path + "/out"),
                         "does not match the config", dir.path + "/out");
}

TEST(Cli, UnwritableOutputFolder) {
    TempDir dir;
    std::ofstream(dir.path + "/file") << "x";  // a folder cannot be made under a regular file
    Result r = run("export --model " + kBert + " " + dir.path + "/file/out");
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("output '" + dir.path + "/file/out'"), std::string::npos) << r.err;
}

TEST(Cli, OpsetOutOfRange) {
    TempDir dir;
    expect_clean_failure(run("export --model " + kBert + " --opset 9 " + dir.path + "/out"), "option '--opset'",
                         dir.path + "/out");
}

}  // namespace
}  // namespace hfx::test
