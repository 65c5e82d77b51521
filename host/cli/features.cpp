// hfexport features [--model-type T] [--json]: each feature with its optimum task name
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "features/features_manager.h"
#include "features/optimum_tasks.h"

namespace hfx::cli {

void add_features_command(CLI::App& app, std::vector<std::pair<CLI::App*, Command>>& commands) {
    auto model_type = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    CLI::App* sub = app.add_subcommand("features", "List the model types and features the loaded plugins support");
    sub->add_option("--model-type", *model_type, "Only this model type");
    sub->add_flag("--json", *json, "One JSON object: model type -> features");
    commands.emplace_back(sub, [model_type, json] {
        auto registry = load_plugins();
        FeaturesManager fm(*registry);
        std::vector<std::string> types;
        if (!model_type->empty()) {
            fm.get_supported_features_for_model_type(*model_type);  // throws for an unknown type
            types.push_back(*model_type);
        } else {
            for (const ModelTypeEntry* e : registry->entries()) types.push_back(e->model_type);
        }
        if (*json) {
            nlohmann::ordered_json out = nlohmann::ordered_json::object();
            for (const auto& t : types) out[t] = fm.get_supported_features_for_model_type(t);
            std::cout << out.dump() << "\n";
            return 0;
        }
        for (const auto& t : types) {
            const ModelTypeEntry* e = registry->find(t);
            std::cout << t << " (" << e->plugin_name << ", " << e->reference << ")\n";
            for (const auto& f : e->features) {
                std::string optimum = optimum_task_name(f);
                std::cout << "  " << f << (optimum != f ? "  (" + optimum + ")" : "") << "  ["
                          << FeaturesManager::get_model_class_for_feature(f) << "]\n";
            }
        }
        return 0;
    });
}

}  // namespace hfx::cli
