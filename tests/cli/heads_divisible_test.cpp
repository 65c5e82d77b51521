// Every model type's fixture with its head count changed to one that does not
// divide the width (hidden_size 32 with 3 heads): the export refuses in one
// line naming the heads key, exit != 0, nothing in the output folder. The
// check is the host's, once for all plugins (export/config_divisible.h), so a
// plugin that floors hidden / heads cannot build a model that fails later in a
// Reshape or the ONNX checker without naming a key.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/cli_run.h"
#include "support/golden.h"

namespace fs = std::filesystem;

namespace hfx::test {
namespace {

struct HeadsCase {
    std::string arch, fixture;  // fixture: a folder of tests/fixtures/<arch>/, named as its feature
};

void PrintTo(const HeadsCase& c, std::ostream* os) { *os << c.arch << "/" << c.fixture; }

// (width, heads) names of transformers' configs; the first pair a config holds is changed.
constexpr const char* kPairs[][2] = {
    {"hidden_size", "num_attention_heads"}, {"n_embd", "n_head"},         {"hidden_size", "n_head"},
    {"d_model", "encoder_attention_heads"}, {"hidden_size", "num_heads"}, {"dim", "n_heads"},
};
// A head size set outright: hidden need not divide then (LLaMA/Gemma head_dim, T5 d_kv, ...).
constexpr const char* kHeadSizeKeys[] = {"head_dim", "d_kv", "attention_head_size", "intra_bottleneck_size"};

// The JSON pointer of the heads key to change ("/num_attention_heads", "/text_config/num_attention_heads"),
// and the value that does not divide the width; "" when the config has no such pair.
std::string heads_pointer(const nlohmann::json& cfg, int64_t* bad) {
    auto in = [&](const nlohmann::json& obj, const std::string& prefix) -> std::string {
        for (const char* k : kHeadSizeKeys)
            if (obj.contains(k)) return "";
        for (const auto& p : kPairs) {
            if (!obj.contains(p[0]) || !obj.contains(p[1]) || !obj[p[0]].is_number_integer() ||
                !obj[p[1]].is_number_integer())
                continue;  // (Swin: a num_heads per stage)
            int64_t width = obj[p[0]].get<int64_t>();
            for (int64_t h = 3; h < width; ++h)
                if (width % h) {
                    *bad = h;
                    return prefix + "/" + p[1];
                }
        }
        return "";
    };
    std::string top = in(cfg, "");
    if (!top.empty()) return top;
    for (const char* sub : {"text_config", "vision_config"})
        if (cfg.contains(sub) && cfg[sub].is_object()) {
            std::string p = in(cfg[sub], std::string("/") + sub);
            if (!p.empty()) return p;
        }
    return "";
}

std::vector<HeadsCase> cases() {
    std::vector<HeadsCase> out;
    std::vector<fs::path> archs;
    for (const auto& e : fs::directory_iterator(HFX_FIXTURES_DIR))
        if (e.is_directory()) archs.push_back(e.path());
    std::sort(archs.begin(), archs.end());
    for (const auto& arch : archs) {
        std::vector<fs::path> dirs;
        for (const auto& e : fs::directory_iterator(arch))
            if (fs::exists(e.path() / "config.json") && fs::exists(e.path() / "model.safetensors"))
                dirs.push_back(e.path());
        std::sort(dirs.begin(), dirs.end());
        if (dirs.empty()) continue;
        std::ifstream in(dirs[0] / "config.json");
        int64_t bad = 0;
        if (!heads_pointer(nlohmann::json::parse(in), &bad).empty())
            out.push_back({arch.filename().string(), dirs[0].filename().string()});
    }
    return out;
}

class HeadsNotDividing : public ::testing::TestWithParam<HeadsCase> {};

TEST_P(HeadsNotDividing, RefusedNamingTheKey) {
    const HeadsCase& c = GetParam();
    std::string src = std::string(HFX_FIXTURES_DIR) + "/" + c.arch + "/" + c.fixture;
    TempDir dir;
    std::string ckpt = dir.path + "/ckpt", out = dir.path + "/out";
    fs::create_directories(ckpt);
    fs::copy_file(src + "/model.safetensors", ckpt + "/model.safetensors");
    std::ifstream in(src + "/config.json");
    nlohmann::json cfg = nlohmann::json::parse(in);
    int64_t bad = 0;
    std::string pointer = heads_pointer(cfg, &bad);
    cfg[nlohmann::json::json_pointer(pointer)] = bad;
    std::ofstream(ckpt + "/config.json") << cfg.dump(2);

    CliResult r = run_cli("export --model " + ckpt + " --feature " + c.fixture + " --no-validate " + out);
    EXPECT_NE(r.code, 0) << r.out;
    // The host's words for every plugin, whatever check the plugin has of its own.
    std::string key = "config key '" + pointer.substr(1) + "': " + std::to_string(bad) + " does not divide '";
    EXPECT_NE(r.err.find(key), std::string::npos) << "expected [" << key << "], stderr was: " << r.err;
    EXPECT_NE(r.err.find("(config.json)"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "expected one line, got: " << r.err;
    std::error_code ec;
    if (fs::exists(out, ec))
        for (auto& p : fs::directory_iterator(out)) ADD_FAILURE() << "left behind: " << p.path();
}

INSTANTIATE_TEST_SUITE_P(Cli, HeadsNotDividing, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<HeadsCase>& i) {
                             std::string n = i.param.arch;
                             for (char& ch : n)
                                 if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                             return n;
                         });

}  // namespace
}  // namespace hfx::test
