// Runs ONNX files another exporter (optimum) wrote from the golden fixtures
// and compares with the fixtures' reference outputs: real-world graphs that
// hfexport did not write. BERT must pass; any other peer whose ops are all
// implemented must pass too.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "export/onnx_load.h"
#include "golden_reader.h"
#include "runtime/kernel.h"
#include "runtime/session.h"

namespace fs = std::filesystem;
using namespace hfx;

namespace {

std::vector<std::string> peer_cases() {
    std::vector<std::string> out;
    std::error_code ec;
    if (!fs::is_directory(HFX_PEERS_DIR, ec)) return out;
    for (const auto& arch : fs::directory_iterator(HFX_PEERS_DIR))
        for (const auto& c : fs::directory_iterator(arch.path(), ec))
            if (fs::exists(c.path() / "model.onnx"))
                out.push_back(arch.path().filename().string() + "/" + c.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

// Graph attributes (Loop bodies) included.
void missing_ops(const Model& m, std::string& out) {
    for (const auto& n : m.nodes) {
        auto it = m.opsets.find(n.domain);
        int64_t v = it == m.opsets.end() ? 1 : it->second;
        if (!rt::find_kernel(n.domain, n.op, v) && out.find(" " + n.op + " ") == std::string::npos) out += " " + n.op + " ";
        for (const auto& [name, a] : n.attrs)
            if (a.kind == Attr::Graph && a.g) missing_ops(*a.g, out);
    }
}

std::string missing_ops(const Model& m) {
    std::string out;
    missing_ops(m, out);
    return out;
}

class Peers : public testing::TestWithParam<std::string> {};

TEST_P(Peers, MatchesGolden) {
    const std::string c = GetParam();
    fs::path model_path = fs::path(HFX_PEERS_DIR) / c / "model.onnx";
    fs::path golden_path = fs::path(HFX_FIXTURES_DIR) / c / "golden.safetensors";
    if (c == "none") GTEST_SKIP() << "no ONNX peers at " << HFX_PEERS_DIR;
    if (!fs::exists(golden_path)) GTEST_SKIP() << "no fixture for " << c;
    Model model = load_onnx(model_path.string());
    std::string missing = missing_ops(model);
    bool required = c.rfind("bert/", 0) == 0;
    if (!missing.empty()) {
        if (required) FAIL() << c << ": ops not implemented:" << missing;
        GTEST_SKIP() << c << ": ops not implemented:" << missing;
    }
    auto golden = test::read_safetensors(golden_path.string());
    rt::Session session(std::move(model));
    std::map<std::string, Tensor> feeds;
    for (const auto& name : session.input_names()) {
        ASSERT_TRUE(golden.count(name)) << c << ": golden has no input '" << name << "'";
        feeds[name] = golden[name];
    }
    std::vector<std::string> names;
    for (const auto& name : session.output_names())
        if (golden.count(name)) names.push_back(name);
    ASSERT_FALSE(names.empty()) << c << ": no output of the graph is in the golden file";
    auto outs = session.run(names, feeds);
    for (size_t i = 0; i < names.size(); ++i) {
        const Tensor& ref = golden[names[i]];
        Tensor got = outs[i].to_f32();
        ASSERT_EQ(shape_str(got.shape), shape_str(ref.shape)) << c << ": " << names[i];
        double worst = 0;
        int64_t bad = 0;
        for (int64_t k = 0; k < ref.numel(); ++k) {
            double r = ref.ptr<float>()[k], g = got.ptr<float>()[k];
            double err = std::fabs(g - r);
            if (!(err <= 1e-4 + 1e-4 * std::fabs(r))) ++bad;
            if (!(err <= worst)) worst = err;
        }
        std::printf("[peer] %s %s max_abs_diff=%.3g\n", c.c_str(), names[i].c_str(), worst);
        EXPECT_EQ(bad, 0) << c << ": " << names[i] << ": " << bad << " values off, max |got-ref| " << worst;
    }
}

std::vector<std::string> params() {
    auto v = peer_cases();
    if (v.empty()) v.push_back("none");
    return v;
}

INSTANTIATE_TEST_SUITE_P(OnnxPeers, Peers, testing::ValuesIn(params()), [](const auto& info) {
    std::string s = info.param;
    for (char& ch : s)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
    return s;
});

}  // namespace
