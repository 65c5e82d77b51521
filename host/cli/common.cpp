#include "cli/common.h"

#include <cstdlib>
#include <filesystem>
#include <spdlog/spdlog.h>
#include <toml++/toml.h>

#include "core/error.h"

namespace fs = std::filesystem;

namespace hfx::cli {

Globals& globals() {
    static Globals g;
    return g;
}

namespace {

// [plugins] dirs from --config FILE, else ~/.config/hfexport/config.toml when present.
std::vector<std::string> config_plugin_dirs() {
    ErrorArea area(ErrorKind::config);
    std::string file = globals().config_file;
    if (file.empty()) {
        const char* home = std::getenv("HOME");
        fs::path p = fs::path(home ? home : "/") / ".config" / "hfexport" / "config.toml";
        std::error_code ec;
        if (!fs::exists(p, ec)) return {};
        file = p.string();
    }
    toml::table table;
    try {
        table = toml::parse_file(file);
    } catch (const toml::parse_error& e) {
        fail("config '", file, "': ", std::string(e.description()), " (line ", std::to_string(e.source().begin.line),
             ")");
    }
    std::vector<std::string> dirs;
    if (auto arr = table["plugins"]["dirs"].as_array()) {
        for (const auto& item : *arr) {
            auto s = item.value<std::string>();
            if (!s) fail("config '", file, "': [plugins] dirs must hold strings");
            fs::path d = *s;
            dirs.push_back(d.is_relative() ? (fs::path(file).parent_path() / d).string() : d.string());
        }
    }
    return dirs;
}

}  // namespace

std::unique_ptr<PluginRegistry> load_plugins() {
    auto registry = std::make_unique<PluginRegistry>();
    for (const std::string& dir : plugin_search_dirs(config_plugin_dirs(), globals().plugin_dirs)) {
        spdlog::debug("looking for plugins in {}", dir);
        registry->load_dir(dir);
    }
    return registry;
}

}  // namespace hfx::cli
