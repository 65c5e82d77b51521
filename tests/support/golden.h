// Helpers for tests that check exports against the golden fixtures.
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/tensor.h"
#include "plugins/registry.h"

namespace hfx::test {

struct GoldenCase {
    std::string arch, name, model_type, task, path;  // path: absolute case folder
    std::vector<std::string> inputs, outputs;        // names from golden.json
};

// gtest prints a case as "arch/name" (not as the bytes of the struct).
inline void PrintTo(const GoldenCase& c, std::ostream* os) { *os << c.arch << "/" << c.name; }

// Every case of tests/fixtures/index.json.
std::vector<GoldenCase> golden_cases();
// Every case of tests/fixtures-variants/<arch>/<variant>/index.json (config and shape
// variants made with the oracle; variant.json beside it says how). `name` is
// "<variant>__<case>", so ctest filters on arch__variant__*.
std::vector<GoldenCase> variant_cases();
// "bert__question_answering": a case's name in parameterised tests (ctest filters on it).
std::string golden_case_name(const ::testing::TestParamInfo<GoldenCase>& info);

// The in-tree plugins of the build tree, loaded once.
PluginRegistry& plugin_registry();

// Encoder-decoder fixtures feed decoder graphs (decoder_input_ids, or a decoder step's encoder_hidden_states).
bool is_seq2seq(const GoldenCase& c);

// What a fixture feeds one exported graph (`component` "" = the single file):
// its inputs by graph name, and the graph outputs it holds (graph name -> fixture name).
struct FixtureFeed {
    std::map<std::string, Tensor> feeds;
    std::map<std::string, std::string> ref_names;
};
// nullopt (with `why`) when the fixture cannot feed this graph.
std::optional<FixtureFeed> fixture_feed(const GoldenCase& c, const std::map<std::string, Tensor>& golden,
                                        const std::vector<std::string>& input_names,
                                        const std::vector<std::string>& output_names, const std::string& component,
                                        std::string* why);

// max |a - b| over all elements (shapes must match; returns +inf otherwise).
double max_abs_diff(const Tensor& a, const Tensor& b);

// |a - b| <= atol + rtol * |b| everywhere.
bool all_close(const Tensor& a, const Tensor& b, double atol, double rtol);

// A fresh temporary folder, removed by the destructor.
struct TempDir {
    std::string path;
    TempDir();
    ~TempDir();
};

}  // namespace hfx::test
