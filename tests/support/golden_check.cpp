#include "support/golden_check.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "checkpoint/checkpoint.h"
#include "checkpoint/safetensors_write.h"
#include "export/exporter.h"
#include "runtime/session.h"
#include "validate/ort_oracle.h"
#include <hfx/onnx_config.h>

namespace hfx::test {
namespace {

constexpr double kAtol = 1e-4, kRtol = 1e-4;

// Exports one graph of the case (`component` "" = the single model.onnx), runs it in
// our runtime and in ONNX Runtime on the fixture's tensors and compares with its outputs.
// Returns false (nothing checked) when the fixture cannot feed this graph.
bool check_graph(const GoldenCase& c, const std::map<std::string, Tensor>& golden, const std::string& component) {
    Checkpoint ckpt = Checkpoint::open(c.path);
    BuiltModel built = build_model(plugin_registry(), ckpt, c.task, 0, component);
    TempDir dir;
    std::string path = dir.path + "/model.onnx";
    write_export(built, ckpt, path, {});

    rt::Session session(path);
    std::vector<std::string> names = session.output_names();
    std::string why;
    auto fed = fixture_feed(c, golden, session.input_names(), names, component, &why);
    if (!fed) {
        if (component.empty() && !is_seq2seq(c)) ADD_FAILURE() << why;  // it must feed its single graph
        std::cout << "[golden] " << c.arch << "/" << c.name << " [" << (component.empty() ? "model" : component)
                  << "] not fed by this fixture (" << why << ")\n";
        return false;
    }
    const std::map<std::string, Tensor>& feeds = fed->feeds;
    const std::map<std::string, std::string>& ref_names = fed->ref_names;
    std::vector<Tensor> ours = session.run(names, feeds);

    std::optional<OrtOracle> ort = find_ort();
    bool require_ort = std::getenv("HFEXPORT_ORT_NODE_MODULES") != nullptr;
    if (require_ort) EXPECT_TRUE(ort.has_value()) << "HFEXPORT_ORT_NODE_MODULES is set but ONNX Runtime was not found";
    std::map<std::string, Tensor> theirs;
    if (ort) theirs = ort_run(*ort, path, feeds);

    int compared = 0;
    double worst_ours = 0, worst_ort = 0;
    for (size_t k = 0; k < names.size(); ++k) {
        if (!ref_names.count(names[k])) continue;
        const Tensor& ref = golden.at(ref_names.at(names[k]));
        EXPECT_EQ(ours[k].shape, ref.shape) << names[k];
        EXPECT_TRUE(all_close(ours[k], ref, kAtol, kRtol)) << names[k] << ": max |diff| " << max_abs_diff(ours[k], ref);
        worst_ours = std::max(worst_ours, max_abs_diff(ours[k], ref));
        if (ort) {
            EXPECT_TRUE(theirs.count(names[k])) << names[k] << " missing from ONNX Runtime's outputs";
            if (!theirs.count(names[k])) continue;
            EXPECT_TRUE(all_close(theirs.at(names[k]), ref, kAtol, kRtol))
                << names[k] << " (ONNX Runtime): max |diff| " << max_abs_diff(theirs.at(names[k]), ref);
            worst_ort = std::max(worst_ort, max_abs_diff(theirs.at(names[k]), ref));
        }
        ++compared;
    }
    EXPECT_GT(compared, 0) << "no output of the graph is in the fixture";
    // Outputs come in transformers' order (logits before the cache): a TorchScript
    // tuple is positional, and users index ONNX outputs too.
    std::vector<std::string> in_graph_order, in_fixture_order;
    for (const std::string& n : names)
        if (ref_names.count(n)) in_graph_order.push_back(ref_names.at(n));
    for (const std::string& n : c.outputs)
        if (std::find(in_graph_order.begin(), in_graph_order.end(), n) != in_graph_order.end())
            in_fixture_order.push_back(n);
    EXPECT_EQ(in_graph_order, in_fixture_order) << "output order differs from the fixture's";
    std::cout << "[golden] " << c.arch << "/" << c.name;
    if (is_seq2seq(c)) std::cout << " [" << (component.empty() ? "model" : component) << "]";
    std::cout << " outputs=" << compared << " max_abs_diff_hfx=" << worst_ours << " max_abs_diff_ort=";
    if (ort) std::cout << worst_ort << "\n";
    else std::cout << "n/a\n";
    return true;
}

}  // namespace

void check_golden_case(const GoldenCase& c) {
    const ModelTypeEntry* entry = plugin_registry().find(c.model_type);
    if (!entry || !entry->supports(c.task)) GTEST_SKIP() << c.model_type << "/" << c.task << " has no plugin yet";
    auto golden = read_safetensors(c.path + "/golden.safetensors");
    if (!is_seq2seq(c)) {
        check_graph(c, golden, "");
        return;
    }
    // Encoder-decoder: the single model.onnx and each graph of optimum's split layout
    // that the fixture can feed (a decoder step feeds decoder-with-past only).
    int checked = 0;
    for (const std::string& component : {"", "encoder", "decoder", "decoder-with-past"}) {
        if (component == std::string("decoder-with-past") && !is_with_past(c.task)) continue;
        checked += check_graph(c, golden, component);
    }
    EXPECT_GT(checked, 0) << "the fixture feeds no graph of the export";
}

}  // namespace hfx::test
