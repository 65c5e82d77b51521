// What every command shares: global options, logging, the plugin registry.
#pragma once
#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "plugins/registry.h"

namespace hfx::cli {

struct Globals {
    bool verbose = false;
    bool quiet = false;
    std::string config_file;               // --config (TOML)
    std::vector<std::string> plugin_dirs;  // --plugin-dir
};

Globals& globals();

// Loads the plugins from every search folder (reports skipped ones as warnings).
std::unique_ptr<PluginRegistry> load_plugins();

// Each command registers itself on the app and returns the function to run.
using Command = std::function<int()>;
void add_export_command(CLI::App& app, std::vector<std::pair<CLI::App*, Command>>& commands);
void add_features_command(CLI::App& app, std::vector<std::pair<CLI::App*, Command>>& commands);
void add_validate_command(CLI::App& app, std::vector<std::pair<CLI::App*, Command>>& commands);
void add_run_command(CLI::App& app, std::vector<std::pair<CLI::App*, Command>>& commands);
void add_generate_command(CLI::App& app, std::vector<std::pair<CLI::App*, Command>>& commands);
void add_make_tiny_command(CLI::App& app, std::vector<std::pair<CLI::App*, Command>>& commands);
void add_selftest_command(CLI::App& app, std::vector<std::pair<CLI::App*, Command>>& commands);

}  // namespace hfx::cli
