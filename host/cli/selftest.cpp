// hfexport selftest [--model-type T]... [--feature F]... [--plugin-dir D]
// The contributor harness (validate/selftest.h): tiny random checkpoint ->
// export -> self-consistency checks, one line each, then "N passed, M failed".
#include <iostream>

#include "cli/common.h"
#include "validate/selftest.h"

namespace hfx::cli {

void add_selftest_command(CLI::App& app, std::vector<std::pair<CLI::App*, Command>>& commands) {
    auto o = std::make_shared<SelftestOptions>();
    auto no_ort = std::make_shared<bool>(false);
    CLI::App* sub =
        app.add_subcommand("selftest", "Export every plugin's tiny random model and check it (contributor harness)");
    sub->add_option("--model-type", o->model_types, "Only this model type (repeatable; default: every registered one)");
    sub->add_option("--feature", o->features, "Only this feature (repeatable; default: every feature)");
    sub->add_flag("--no-ort", *no_ort, "Do not compare with ONNX Runtime even when found");
    sub->add_option("--threads", o->threads, "Runtime threads (0 = all cores)")->capture_default_str();
    sub->add_option("--work-dir", o->work_dir,
                    "Keep checkpoints and exports in this folder (default: a temporary one)");
    commands.emplace_back(sub, [o, no_ort] {
        auto registry = load_plugins();
        o->load_problems = registry->problems();
        o->use_ort = !*no_ort;
        SelftestSummary sum = run_selftest(*registry, *o, std::cout);
        return sum.ok() ? 0 : 1;
    });
}

}  // namespace hfx::cli
