// Crafted checkpoints a user might have: config.json integers that are not
// sizes (0 heads, -1 layers, 48.5, 2^64), a tensor named twice, a tensor name
// with a newline, NaN weights. Each gives exit != 0 and one line on stderr
// naming the config key / tensor / file, and leaves the output folder empty.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "checkpoint/safetensors_write.h"
#include "support/cli_run.h"
#include "support/golden.h"

namespace fs = std::filesystem;

namespace hfx::test {
namespace {

const std::string kFixtures = HFX_FIXTURES_DIR;

std::string slurp(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// A writable copy of fixture `rel` (config.json, model.safetensors, generation_config.json).
std::string copy_fixture(const TempDir& dir, const std::string& rel) {
    std::string d = dir.path + "/ckpt";
    fs::create_directories(d);
    for (const char* f : {"config.json", "model.safetensors", "generation_config.json"})
        if (fs::exists(kFixtures + "/" + rel + "/" + f)) fs::copy_file(kFixtures + "/" + rel + "/" + f, d + "/" + f);
    for (auto& p : fs::directory_iterator(d)) fs::permissions(p, fs::perms::owner_write, fs::perm_options::add);
    return d;
}

// Sets config.json's `key` to the JSON text `value` (verbatim: 48.5, 18446744073709551616).
void set_config(const std::string& d, const std::string& key, const std::string& value) {
    auto cfg = nlohmann::json::parse(slurp(d + "/config.json"));
    cfg.erase(key);
    std::string text = cfg.dump();
    text.insert(1, "\"" + key + "\": " + value + ", ");
    std::ofstream(d + "/config.json") << text;
}

void expect_clean_failure(const CliResult& r, const std::string& message, const std::string& out_dir) {
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find(message), std::string::npos) << "stderr was: " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "expected one line, got: " << r.err;
    std::error_code ec;
    if (fs::exists(out_dir, ec))
        for (auto& p : fs::directory_iterator(out_dir)) ADD_FAILURE() << "left behind: " << p.path();
}

struct ConfigCase {
    std::string fixture, feature, key, value, message;
};

void PrintTo(const ConfigCase& c, std::ostream* os) { *os << c.fixture << " " << c.key << "=" << c.value; }

class BadConfig : public ::testing::TestWithParam<ConfigCase> {};

TEST_P(BadConfig, OneLineNamingTheKey) {
    const ConfigCase& c = GetParam();
    TempDir dir;
    std::string d = copy_fixture(dir, c.fixture);
    set_config(d, c.key, c.value);
    CliResult r = run_cli("export --model " + d + " --feature " + c.feature + " --no-validate " + dir.path + "/out");
    expect_clean_failure(r, c.message, dir.path + "/out");
    EXPECT_NE(r.err.find("(config.json)"), std::string::npos) << r.err;
}

const std::string kBert = "bert/sequence-classification";
INSTANTIATE_TEST_SUITE_P(
    Cli, BadConfig,
    ::testing::Values(
        // SIGFPE before: head_dim = hidden / heads.
        ConfigCase{kBert, "sequence-classification", "num_attention_heads", "0",
                   "config key '/num_attention_heads': 0 is not a positive count"},
        ConfigCase{"gpt2/default", "default", "n_head", "0", "config key '/n_head': 0 is not a positive count"},
        // Was only the ONNX checker's Reshape message.
        ConfigCase{kBert, "sequence-classification", "num_attention_heads", "3",
                   "config key 'num_attention_heads': 3 does not divide 'hidden_size' (32)"},
        ConfigCase{"gpt2/default", "default", "n_head", "5", "config key 'n_head': 5 does not divide 'n_embd' (32)"},
        // Truncated to 48 before.
        ConfigCase{kBert, "sequence-classification", "hidden_size", "48.5",
                   "config key '/hidden_size': 48.5 is not an integer in range"},
        // A 0-layer model with exit 0 before.
        ConfigCase{kBert, "sequence-classification", "num_hidden_layers", "-1",
                   "config key '/num_hidden_layers': -1 is not a non-negative size or count"},
        ConfigCase{"gpt2/default", "default", "n_layer", "-1",
                   "config key '/n_layer': -1 is not a non-negative size or count"},
        // map::at before.
        ConfigCase{"t5/seq2seq-lm", "seq2seq-lm", "num_decoder_layers", "-1",
                   "config key '/num_decoder_layers': -1 is not a non-negative size or count"},
        // Negative read as "any size" in the weight-shape check.
        ConfigCase{kBert, "sequence-classification", "max_position_embeddings", "-128",
                   "config key '/max_position_embeddings': -128 is not a non-negative size or count"},
        // Both became INT64_MIN ("any size") and the export succeeded with --no-validate.
        ConfigCase{kBert, "sequence-classification", "vocab_size", "9223372036854775807",
                   "config key '/vocab_size': 9.2233720368547758e+18 is not an integer in range"},
        ConfigCase{kBert, "sequence-classification", "vocab_size", "18446744073709551616",
                   "config key '/vocab_size': 1.8446744073709552e+19 is not an integer in range"},
        ConfigCase{kBert, "sequence-classification", "intermediate_size", "4294967296",
                   "config key '/intermediate_size': 4294967296 is too large for a size or count"}),
    [](const ::testing::TestParamInfo<ConfigCase>& info) {  // e.g. "bert_num_attention_heads_0"
        std::string name = info.param.fixture.substr(0, info.param.fixture.find('/')) + "_" + info.param.key + "_" +
                           std::to_string(info.index);
        for (char& ch : name)
            if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
        return name;
    });

// Rewrites model.safetensors' header with `extra` (JSON members, verbatim)
// inserted first; the data area is unchanged.
void add_header_entries(const std::string& d, const std::string& extra) {
    std::string bytes = slurp(d + "/model.safetensors");
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | uint8_t(bytes[size_t(i)]);
    std::string header = bytes.substr(8, n), data = bytes.substr(8 + n);
    header.insert(1, extra + ", ");
    std::string len;
    for (int i = 0; i < 8; ++i) len += char(uint8_t(uint64_t(header.size()) >> (8 * i)));
    std::ofstream(d + "/model.safetensors", std::ios::binary) << len << header << data;
}

// Last one won before: the duplicate's bytes (here another tensor's) were used silently.
TEST(CliBadInput, TensorNamedTwice) {
    TempDir dir;
    std::string d = copy_fixture(dir, kBert);
    std::string bytes = slurp(d + "/model.safetensors");
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | uint8_t(bytes[size_t(i)]);
    auto header = nlohmann::json::parse(bytes.substr(8, n));
    add_header_entries(d, "\"classifier.bias\": " + header["bert.pooler.dense.bias"].dump());
    expect_clean_failure(
        run_cli("export --model " + d + " --feature sequence-classification " + dir.path + "/out"),
        "safetensors '" + d + "/model.safetensors': tensor 'classifier.bias': appears twice in the header",
        dir.path + "/out");
}

// The newline split the error into two lines before.
TEST(CliBadInput, TensorNameWithNewline) {
    TempDir dir;
    std::string d = copy_fixture(dir, kBert);
    add_header_entries(d, R"("bad\nname": {"dtype": "F99", "shape": [1], "data_offsets": [0, 4]})");
    expect_clean_failure(run_cli("export --model " + d + " --feature sequence-classification " + dir.path + "/out"),
                         "tensor 'bad\\nname': unknown dtype 'F99'", dir.path + "/out");
}

// NaN == NaN read as "max diff: 0": a model of NaNs passed validation.
TEST(CliBadInput, NanOutputsFailValidation) {
    TempDir dir;
    std::string d = copy_fixture(dir, kBert);
    auto all = read_safetensors(kFixtures + "/" + kBert + "/model.safetensors");
    std::vector<std::pair<std::string, Tensor>> tensors;
    for (auto& [name, t] : all) {
        Tensor c = t.clone();
        if (name == "classifier.weight")
            for (int64_t k = 0; k < c.numel(); ++k) c.ptr<float>()[k] = std::numeric_limits<float>::quiet_NaN();
        tensors.emplace_back(name, c);
    }
    write_safetensors(d + "/model.safetensors", tensors);
    CliResult r = run_cli("export --model " + d + " --feature sequence-classification --no-ort " + dir.path + "/out");
    EXPECT_EQ(r.code, 1) << r.out << r.err;
    EXPECT_NE(r.out.find("-[x] 6 of 6 values are NaN or Inf (first at flat index 0: got nan, expected nan)"),
              std::string::npos)
        << r.out;
    EXPECT_EQ(r.out.find("All good"), std::string::npos) << r.out;
    // The model stays, and the one error line says so (README: "When validation fails").
    EXPECT_TRUE(fs::exists(dir.path + "/out/model.onnx"));
    EXPECT_NE(r.err.find("validation failed: the exported model's outputs do not match the reference; '" + dir.path +
                         "/out/model.onnx' is kept for inspection, not for use"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

}  // namespace
}  // namespace hfx::test
