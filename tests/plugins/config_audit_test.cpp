// The host's safety net for config.json (export/config_audit.h): keys no plugin
// read are reported, and are an error with `export --strict`. Every committed
// fixture config must be read completely (or hold only bookkeeping keys).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "checkpoint/checkpoint.h"
#include "export/config_audit.h"
#include "export/exporter.h"
#include "support/cli_run.h"
#include "support/golden.h"

namespace fs = std::filesystem;

namespace hfx::test {
namespace {

TEST(ConfigAudit, ListsUnreadKeysAndLooksIntoReadSubConfigs) {
    nlohmann::json config = nlohmann::json::parse(R"({
        "model_type": "x", "hidden_size": 8, "foo": 1, "hidden_dropout_prob": 0.1, "is_decoder": false,
        "text_config": {"vocab_size": 9, "bar": true, "architectures": ["X"]},
        "vision_config": {"baz": 2}, "rope_scaling": {"type": "linear", "factor": 2.0}, "a/b": 1})");
    std::set<std::string> reads = {"/hidden_size", "/text_config/vocab_size", "/vision_config", "/rope_scaling/type",
                                   "/a~1b"};
    std::vector<std::string> want = {"foo", "rope_scaling/factor", "text_config/bar"};
    EXPECT_EQ(unread_config_keys(config, reads), want);
    BuiltModel built;
    built.plugin_name = "p", built.model_type = "x", built.feature = "default", built.config_reads = reads;
    EXPECT_EQ(unread_keys_message(config, {&built}),
              "config.json: keys not read by plugin 'p': foo, rope_scaling/factor, text_config/bar "
              "(the export may not honour them; --strict makes this an error)");
    // tie_word_embeddings ties an LM head: unread, it is a finding only where the graph has one.
    config["tie_word_embeddings"] = false;
    EXPECT_EQ(unread_config_keys(config, audited_reads({&built})), want);
    built.feature = "causal-lm-with-past";
    EXPECT_EQ(unread_config_keys(config, audited_reads({&built})).back(), "tie_word_embeddings");
    config.erase("tie_word_embeddings");
    // A default-only key is bookkeeping at its default and a finding otherwise.
    config["is_decoder"] = true;
    EXPECT_EQ(unread_config_keys(config, reads).front(), "foo");
    EXPECT_EQ(unread_config_keys(config, reads).at(1), "is_decoder");
    EXPECT_EQ(unread_keys_message(nlohmann::json::parse(R"({"model_type": "x"})"), {&built}), "");
}

class FixtureConfig : public ::testing::TestWithParam<GoldenCase> {};

// The plugin reads every key of each committed fixture config (the keys decide
// what the fixture's outputs are, so one left unread could be one not honoured).
TEST_P(FixtureConfig, EveryKeyIsRead) {
    const GoldenCase& c = GetParam();
    if (!plugin_registry().find(c.model_type)) GTEST_SKIP() << "no plugin for " << c.model_type;
    Checkpoint ckpt = Checkpoint::open(c.path);
    BuiltModel built = build_model(plugin_registry(), ckpt, c.task);
    EXPECT_EQ(unread_keys_message(ckpt.config(), {&built}), "") << c.path;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FixtureConfig, ::testing::ValuesIn(golden_cases()), golden_case_name);
INSTANTIATE_TEST_SUITE_P(Variants, FixtureConfig, ::testing::ValuesIn(variant_cases()), golden_case_name);

// The bert fixture with one key no plugin knows.
std::string bert_with_unknown_key(const TempDir& dir) {
    const std::string from = std::string(HFX_FIXTURES_DIR) + "/bert/sequence-classification";
    std::string d = dir.path + "/ckpt";
    fs::create_directories(d);
    nlohmann::json config = nlohmann::json::parse(std::ifstream(from + "/config.json"));
    config["position_bias_flavour"] = "tilted";
    std::ofstream(d + "/config.json") << config.dump(2);
    fs::copy_file(from + "/model.safetensors", d + "/model.safetensors");
    return d;
}

TEST(ConfigAudit, UnknownKeyWarnsAndStrictFails) {
    TempDir dir;
    std::string ckpt = bert_with_unknown_key(dir);
    const std::string line =
        "config.json: keys not read by plugin 'bert': position_bias_flavour (the export may not honour them; "
        "--strict makes this an error)";

    CliResult r =
        run_cli("export --model " + ckpt + " --feature sequence-classification --no-ort " + dir.path + "/warn");
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find(line), std::string::npos) << r.err;
    EXPECT_TRUE(fs::exists(dir.path + "/warn/model.onnx"));

    r = run_cli("export --model " + ckpt + " --feature sequence-classification --strict " + dir.path + "/strict");
    EXPECT_EQ(r.code, 3);  // a config error (README.md, "Exit codes")
    EXPECT_NE(r.err.find(line), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(fs::exists(dir.path + "/strict/model.onnx"));

    // The committed fixture itself: no warning, and --strict exports.
    const std::string fixture = std::string(HFX_FIXTURES_DIR) + "/bert/sequence-classification";
    r = run_cli("export --model " + fixture + " --feature sequence-classification --strict --no-ort " + dir.path +
                "/ok");
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.err.find("keys not read"), std::string::npos) << r.err;
}

TEST(ConfigAudit, StrictSplitExportWritesNothing) {
    TempDir dir;
    std::string ckpt = dir.path + "/t5";
    fs::create_directories(ckpt);
    const std::string from = std::string(HFX_FIXTURES_DIR) + "/t5/seq2seq-lm";
    nlohmann::json config = nlohmann::json::parse(std::ifstream(from + "/config.json"));
    config["position_bias_flavour"] = "tilted";
    std::ofstream(ckpt + "/config.json") << config.dump(2);
    fs::copy_file(from + "/model.safetensors", ckpt + "/model.safetensors");
    CliResult r = run_cli("export --model " + ckpt + " --feature seq2seq-lm --split --strict " + dir.path + "/out");
    EXPECT_EQ(r.code, 3);  // a config error
    EXPECT_NE(r.err.find("keys not read by plugin 't5': position_bias_flavour"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir.path + "/out/encoder_model.onnx"));
}

}  // namespace
}  // namespace hfx::test
