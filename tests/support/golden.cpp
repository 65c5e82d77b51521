#include "golden.h"

#include "validate/reference_match.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace hfx::test {

namespace {

GoldenCase read_case(const nlohmann::json& c, const std::string& path) {
    GoldenCase g;
    g.arch = c["arch"];
    g.name = c["case"];
    g.model_type = c["model_type"];
    g.task = c["task"];
    g.path = path;
    std::ifstream gj(g.path + "/golden.json");
    nlohmann::json meta = nlohmann::json::parse(gj);
    for (const auto& i : meta["inputs"]) g.inputs.push_back(i["name"]);
    for (const auto& o : meta["outputs"]) g.outputs.push_back(o["name"]);
    return g;
}

}  // namespace

std::vector<GoldenCase> golden_cases() {
    std::vector<GoldenCase> out;
    std::ifstream in(std::string(HFX_FIXTURES_DIR) + "/index.json");
    nlohmann::json index = nlohmann::json::parse(in);
    for (const auto& c : index["cases"])
        out.push_back(read_case(c, std::string(HFX_FIXTURES_DIR) + "/" + c["path"].get<std::string>()));
    return out;
}

std::vector<GoldenCase> variant_cases() {
    std::vector<GoldenCase> out;
    fs::path root = fs::path(HFX_FIXTURES_DIR).parent_path() / "fixtures-variants";
    std::error_code ec;
    if (!fs::is_directory(root, ec)) return out;
    std::vector<fs::path> dirs;  // <arch>/<variant>, sorted: test names stay in one order
    for (const auto& arch : fs::directory_iterator(root))
        if (arch.is_directory())
            for (const auto& v : fs::directory_iterator(arch.path()))
                if (fs::is_regular_file(v.path() / "index.json")) dirs.push_back(v.path());
    std::sort(dirs.begin(), dirs.end());
    for (const fs::path& dir : dirs) {
        std::ifstream in(dir / "index.json");
        nlohmann::json index = nlohmann::json::parse(in);
        for (const auto& c : index["cases"]) {
            GoldenCase g = read_case(c, (dir / c["case"].get<std::string>()).string());
            g.name = dir.filename().string() + "__" + g.name;
            out.push_back(std::move(g));
        }
    }
    return out;
}

std::string golden_case_name(const ::testing::TestParamInfo<GoldenCase>& info) {
    std::string s = info.param.arch + "__" + info.param.name;
    for (char& ch : s)
        if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
    return s;
}

PluginRegistry& plugin_registry() {
    static PluginRegistry r;
    static bool loaded = (r.load_dir(HFX_PLUGIN_BUILD_DIR), true);
    (void)loaded;
    return r;
}

bool is_seq2seq(const GoldenCase& c) {
    for (const auto& n : c.inputs)
        if (n == "decoder_input_ids" || n == "encoder_hidden_states") return true;
    return false;
}

std::optional<FixtureFeed> fixture_feed(const GoldenCase& c, const std::map<std::string, Tensor>& golden,
                                        const std::vector<std::string>& input_names,
                                        const std::vector<std::string>& output_names, const std::string& component,
                                        std::string* why) {
    FixtureFeed f;
    if (component.empty() && !is_seq2seq(c)) {
        for (const auto& name : input_names) {
            if (!golden.count(name)) {
                *why = "graph input '" + name + "' is not in the fixture";
                return std::nullopt;
            }
            f.feeds[name] = golden.at(name);
        }
        for (const auto& n : output_names)
            if (golden.count(n)) f.ref_names[n] = n;  // a graph may produce more than the fixture stores
        return f;
    }
    auto match = match_reference(golden, input_names, output_names, component, why);
    if (!match) return std::nullopt;
    f.feeds = match->feeds;
    f.ref_names = match->output_names;
    return f;
}

double max_abs_diff(const Tensor& a, const Tensor& b) {
    if (a.shape != b.shape || a.dtype != DType::f32 || b.dtype != DType::f32) return INFINITY;
    double worst = 0;
    for (int64_t k = 0; k < a.numel(); ++k) {
        double d = std::fabs(double(a.ptr<float>()[k]) - double(b.ptr<float>()[k]));
        if (std::isnan(d)) return INFINITY;
        worst = std::max(worst, d);
    }
    return worst;
}

bool all_close(const Tensor& a, const Tensor& b, double atol, double rtol) {
    if (a.shape != b.shape || a.dtype != DType::f32 || b.dtype != DType::f32) return false;
    for (int64_t k = 0; k < a.numel(); ++k) {
        double x = a.ptr<float>()[k], y = b.ptr<float>()[k];
        if (!(std::fabs(x - y) <= atol + rtol * std::fabs(y))) return false;
    }
    return true;
}

TempDir::TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "hfx-test-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
}

}  // namespace hfx::test
