// selftest: the contributor harness. For every registered (model type,
// feature), or the ones named, it builds the plugin's tiny random checkpoint,
// exports it and checks the result the way DESIGN.md's self-consistency oracle
// asks: ONNX checker + shape inference, dynamic axes declared and really
// dynamic (two batch/sequence sizes, output shapes as declared), our runtime vs
// the eager reference and vs ONNX Runtime, padding invariance, stepwise
// decoding with past == the full sequence, and opset 11 == opset 17.
// One line per check; the last line is exactly "N passed, M failed".
#pragma once
#include <ostream>
#include <string>
#include <vector>

#include "plugins/registry.h"

namespace hfx {

struct SelftestOptions {
    std::vector<std::string> model_types;    // empty = every registered one
    std::vector<std::string> features;       // empty = every feature of each type
    bool use_ort = true;                     // compare with ONNX Runtime when found
    int threads = 0;                         // runtime threads (0 = all cores)
    std::string work_dir;                    // "" = a temporary folder, removed afterwards
    std::vector<std::string> load_problems;  // plugins the registry skipped: each a failed check
};

struct SelftestSummary {
    int passed = 0, failed = 0;
    bool ok() const { return failed == 0 && passed > 0; }
};

SelftestSummary run_selftest(const PluginRegistry& registry, const SelftestOptions& options, std::ostream& out);

}  // namespace hfx
