// Runs ONNX files another exporter (optimum) wrote from the golden fixtures
// and compares with the fixtures' reference outputs: real-world graphs that
// hfexport did not write. Every peer must run (an op not implemented is a
// failure) and match. Seq2seq cases are optimum's split files: each
// graph the fixture can feed (validate/reference_match.h maps the names) runs.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "onnx/load.h"
#include "golden_reader.h"
#include "runtime/kernel.h"
#include "runtime/session.h"
#include "validate/reference_match.h"

namespace fs = std::filesystem;
using namespace hfx;

namespace {

std::vector<std::string> peer_cases() {
    std::vector<std::string> out;
    std::error_code ec;
    if (!fs::is_directory(HFX_PEERS_DIR, ec)) return out;
    for (const auto& arch : fs::directory_iterator(HFX_PEERS_DIR))
        for (const auto& c : fs::directory_iterator(arch.path(), ec))
            if (fs::exists(c.path() / "model.onnx") || fs::exists(c.path() / "encoder_model.onnx"))
                out.push_back(arch.path().filename().string() + "/" + c.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

// Graph attributes (Loop bodies) included.
void missing_ops(const Model& m, std::string& out) {
    for (const auto& n : m.nodes) {
        auto it = m.opsets.find(n.domain);
        int64_t v = it == m.opsets.end() ? 1 : it->second;
        if (!rt::find_kernel(n.domain, n.op, v) && out.find(" " + n.op + " ") == std::string::npos)
            out += " " + n.op + " ";
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

// The graphs of a peer case: model.onnx, or optimum's split files with the component each holds.
std::vector<std::pair<std::string, std::string>> peer_files(const fs::path& dir) {
    if (fs::exists(dir / "model.onnx")) return {{"model.onnx", ""}};
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [file, component] :
         std::vector<std::pair<std::string, std::string>>{{"encoder_model.onnx", "encoder"},
                                                          {"decoder_model.onnx", "decoder"},
                                                          {"decoder_with_past_model.onnx", "decoder-with-past"}})
        if (fs::exists(dir / file)) out.emplace_back(file, component);
    return out;
}

// Runs one graph on the fixture; false when the fixture cannot feed it (a decoder step feeds no encoder).
bool check_graph(const std::string& c, const std::string& file, const std::string& component,
                 const std::map<std::string, Tensor>& golden) {
    Model model = load_onnx((fs::path(HFX_PEERS_DIR) / c / file).string());
    std::string missing = missing_ops(model);
    if (!missing.empty()) {
        ADD_FAILURE() << c << "/" << file << ": ops not implemented:" << missing;
        return true;
    }
    rt::Session session(std::move(model));
    std::map<std::string, Tensor> feeds;
    std::map<std::string, std::string> ref_names;  // graph output -> fixture name
    if (component.empty()) {
        for (const auto& name : session.input_names()) {
            EXPECT_TRUE(golden.count(name)) << c << ": golden has no input '" << name << "'";
            if (!golden.count(name)) return true;
            feeds[name] = golden.at(name);
        }
        for (const auto& name : session.output_names())
            if (golden.count(name)) ref_names[name] = name;
    } else {
        std::string why;
        auto match = match_reference(golden, session.input_names(), session.output_names(), component, &why);
        if (!match) {
            std::printf("[peer] %s %s not fed by this fixture (%s)\n", c.c_str(), file.c_str(), why.c_str());
            return false;
        }
        feeds = match->feeds;
        ref_names = match->output_names;
    }
    std::vector<std::string> names;
    for (const auto& [name, ref] : ref_names) names.push_back(name);
    EXPECT_FALSE(names.empty()) << c << "/" << file << ": no output of the graph is in the golden file";
    auto outs = session.run(names, feeds);
    for (size_t i = 0; i < names.size(); ++i) {
        const Tensor& ref = golden.at(ref_names.at(names[i]));
        Tensor got = outs[i].to_f32();
        EXPECT_EQ(shape_str(got.shape), shape_str(ref.shape)) << c << ": " << names[i];
        if (got.shape != ref.shape) continue;
        double worst = 0;
        int64_t bad = 0;
        for (int64_t k = 0; k < ref.numel(); ++k) {
            double r = ref.ptr<float>()[k], g = got.ptr<float>()[k];
            double err = std::fabs(g - r);
            if (!(err <= 1e-4 + 1e-4 * std::fabs(r))) ++bad;
            if (!(err <= worst)) worst = err;
        }
        std::printf("[peer] %s %s%s max_abs_diff=%.3g\n", c.c_str(), component.empty() ? "" : (file + " ").c_str(),
                    names[i].c_str(), worst);
        EXPECT_EQ(bad, 0) << c << ": " << names[i] << ": " << bad << " values off, max |got-ref| " << worst;
    }
    return true;
}

TEST_P(Peers, MatchesGolden) {
    const std::string c = GetParam();
    if (c == "none") GTEST_SKIP() << "no ONNX peers at " << HFX_PEERS_DIR;
    fs::path golden_path = fs::path(HFX_FIXTURES_DIR) / c / "golden.safetensors";
    if (!fs::exists(golden_path)) GTEST_SKIP() << "no fixture for " << c;
    auto golden = test::read_safetensors(golden_path.string());
    int checked = 0;
    for (const auto& [file, component] : peer_files(fs::path(HFX_PEERS_DIR) / c))
        checked += check_graph(c, file, component, golden);
    EXPECT_GT(checked, 0) << c << ": the fixture feeds none of the peer's graphs";
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
