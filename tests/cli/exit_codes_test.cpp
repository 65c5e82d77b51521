// The command line's exit code says which kind of error stopped it (README.md, "Exit
// codes"): one bad input per kind, each with its one-line message on stderr.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/cli_run.h"
#include "support/golden.h"

namespace fs = std::filesystem;

namespace hfx::test {
namespace {

const std::string kFixtures = HFX_FIXTURES_DIR;
const std::string kBert = "bert/sequence-classification";

// A writable copy of the bert fixture.
std::string copy_bert(const TempDir& dir) {
    std::string d = dir.path + "/ckpt";
    fs::create_directories(d);
    for (const char* f : {"config.json", "model.safetensors"})
        fs::copy_file(kFixtures + "/" + kBert + "/" + f, d + "/" + f);
    for (auto& p : fs::directory_iterator(d)) fs::permissions(p, fs::perms::owner_write, fs::perm_options::add);
    return d;
}

void replace_in_config(const std::string& d, const std::string& from, const std::string& to) {
    std::ifstream in(d + "/config.json");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    std::ofstream(d + "/config.json") << text;
}

CliResult export_of(const TempDir& dir, const std::string& d) {
    return run_cli("export --model " + d + " --feature sequence-classification --no-validate " + dir.path + "/out");
}

void expect_exit(const CliResult& r, int code, const std::string& message) {
    EXPECT_EQ(r.code, code) << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << "stderr was: " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(CliExitCode, InputIs1) {
    TempDir dir;
    expect_exit(run_cli("run " + dir.path + "/missing.onnx --random batch=1"), 1, "missing.onnx");
    expect_exit(run_cli("run " + dir.path + "/missing.onnx"), 1, "option '--inputs'");
    // CLI11's usage errors (its own two-line text) exit 1 as well.
    CliResult usage = run_cli("export " + dir.path + "/out");
    EXPECT_EQ(usage.code, 1) << usage.err;
    EXPECT_NE(usage.err.find("--model is required"), std::string::npos) << usage.err;
}

TEST(CliExitCode, CheckpointIs2) {
    TempDir dir;
    std::string d = copy_bert(dir);
    std::ofstream(d + "/model.safetensors", std::ios::binary | std::ios::trunc) << "short";
    expect_exit(export_of(dir, d), 2, "model.safetensors");
}

TEST(CliExitCode, ConfigIs3) {
    TempDir dir;
    std::string d = copy_bert(dir);
    std::ofstream(d + "/config.json", std::ios::trunc) << "{ not json";
    expect_exit(export_of(dir, d), 3, "config.json");
}

// Refused by the plugin (the SDK's config reader), across the C ABI as HFX_ERROR_CONFIG.
TEST(CliExitCode, ConfigRefusedByThePluginIs3) {
    TempDir dir;
    std::string d = copy_bert(dir);
    replace_in_config(d, "\"num_attention_heads\": 4", "\"num_attention_heads\": 0");
    expect_exit(export_of(dir, d), 3, "config key '/num_attention_heads': 0 is not a positive count");
}

TEST(CliExitCode, PluginIs4) {
    TempDir dir;
    std::string d = copy_bert(dir);
    replace_in_config(d, "\"model_type\": \"bert\"", "\"model_type\": \"no_such_architecture\"");
    expect_exit(export_of(dir, d), 4, "model type 'no_such_architecture': no loaded plugin supports it");
}

}  // namespace
}  // namespace hfx::test
