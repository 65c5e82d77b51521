// hfexport make-tiny --model-type T [--feature F] OUT_DIR
// A random-weight checkpoint (config.json + model.safetensors) from the
// plugin's tiny_config, with the weights its graph declares for F.
#include <iostream>

#include "cli/common.h"
#include "export/exporter.h"

namespace hfx::cli {

namespace {
struct MakeTinyArgs {
    std::string model_type, feature = "default", output;
    uint64_t seed = 0;
};
}  // namespace

void add_make_tiny_command(CLI::App& app, std::vector<std::pair<CLI::App*, Command>>& commands) {
    auto args = std::make_shared<MakeTinyArgs>();
    CLI::App* sub =
        app.add_subcommand("make-tiny", "Write a tiny random-weight checkpoint from a plugin's tiny_config");
    sub->add_option("--model-type", args->model_type, "Model type (see `hfexport features`)")->required();
    sub->add_option("--feature", args->feature,
                    "Feature whose weights to create (task models keep the base under "
                    "its prefix)")
        ->capture_default_str();
    sub->add_option("--seed", args->seed, "Random seed")->capture_default_str();
    sub->add_option("output", args->output, "Output folder")->required();
    commands.emplace_back(sub, [args] {
        auto registry = load_plugins();
        TinyCheckpoint tiny = make_tiny(*registry, args->model_type, args->feature, args->seed);
        write_tiny(tiny, args->output);
        int64_t params = 0;
        for (const auto& [n, t] : tiny.tensors) params += t.numel();
        std::cout << "Tiny " << args->model_type << " (" << args->feature << "): " << tiny.tensors.size()
                  << " tensors, " << params << " parameters, saved at: " << args->output << "\n";
        return 0;
    });
}

}  // namespace hfx::cli
