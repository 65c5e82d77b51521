// Every golden fixture case exported to TorchScript: the .pt file, run in
// libtorch on the fixture's inputs, matches the outputs Hugging Face
// transformers computed; and it runs at two other sizes (an empty past among
// them) against the eager reference, as `export --format torchscript` validates.
// One ctest entry per architecture (labels torchscript, arch-<arch>).
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <sstream>

#include "checkpoint/checkpoint.h"
#include "checkpoint/safetensors_write.h"
#include "export/exporter.h"
#include "support/golden.h"
#include "torchscript/torchscript.h"
#include "validate/validate.h"
#include <hfx/onnx_config.h>

namespace hfx::test {
namespace {

constexpr double kAtol = 1e-4, kRtol = 1e-4;

class GoldenTorchScript : public ::testing::TestWithParam<GoldenCase> {};

// Returns false (nothing checked) when the fixture cannot feed this graph.
bool check_graph(const GoldenCase& c, const std::map<std::string, Tensor>& golden, const std::string& component) {
    Checkpoint ckpt = Checkpoint::open(c.path);
    BuiltModel built = build_model(plugin_registry(), ckpt, c.task, 0, component);
    TempDir dir;
    std::string path = dir.path + "/model.pt";
    write_export(built, ckpt, path, {.format = Format::torchscript});

    TorchScriptModule module(path);
    std::string why;
    auto fed = fixture_feed(c, golden, module.input_names(), module.output_names(), component, &why);
    if (!fed) {
        if (component.empty() && !is_seq2seq(c)) ADD_FAILURE() << why;
        return false;
    }
    std::map<std::string, Tensor> got = module.run(fed->feeds);
    double worst = 0;
    for (const auto& [name, ref_name] : fed->ref_names) {
        const Tensor& ref = golden.at(ref_name);
        EXPECT_TRUE(got.count(name)) << name << " missing from the module's outputs";
        if (!got.count(name)) continue;
        EXPECT_EQ(got.at(name).shape, ref.shape) << name;
        EXPECT_TRUE(all_close(got.at(name), ref, kAtol, kRtol))
            << name << ": max |diff| " << max_abs_diff(got.at(name), ref);
        worst = std::max(worst, max_abs_diff(got.at(name), ref));
    }
    EXPECT_FALSE(fed->ref_names.empty()) << "no output of the graph is in the fixture";

    std::ostringstream log;
    EXPECT_TRUE(validate_torchscript(built.model, path, {.atol = built.atol}, log)) << log.str();
    std::cout << "[golden-torchscript] " << c.arch << "/" << c.name;
    if (is_seq2seq(c)) std::cout << " [" << (component.empty() ? "model" : component) << "]";
    std::cout << " outputs=" << fed->ref_names.size() << " max_abs_diff_torchscript=" << worst << "\n";
    return true;
}

TEST_P(GoldenTorchScript, MatchesTransformersInLibtorch) {
    const GoldenCase& c = GetParam();
    const ModelTypeEntry* entry = plugin_registry().find(c.model_type);
    if (!entry || !entry->supports(c.task)) GTEST_SKIP() << c.model_type << "/" << c.task << " has no plugin yet";
    auto golden = read_safetensors(c.path + "/golden.safetensors");
    int checked = 0;
    for (const std::string& component : {"", "encoder", "decoder", "decoder-with-past"}) {
        if (!component.empty() && !is_seq2seq(c)) break;
        if (component == std::string("decoder-with-past") && !is_with_past(c.task)) continue;
        checked += check_graph(c, golden, component);
    }
    EXPECT_GT(checked, 0) << "the fixture feeds no graph of the export";
}

INSTANTIATE_TEST_SUITE_P(Fixtures, GoldenTorchScript, ::testing::ValuesIn(golden_cases()), golden_case_name);

}  // namespace
}  // namespace hfx::test
