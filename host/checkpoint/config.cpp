// config.json: the only thing every checkpoint must have; model_type picks
// the plugin, so a config without it is rejected here, not in a plugin.
#include <filesystem>

#include "checkpoint/json_file.h"
#include "checkpoint/weight_set.h"
#include "core/error.h"

namespace hfx {

nlohmann::json read_config(const std::string& path) {
    ErrorArea area(ErrorKind::config);
    if (!std::filesystem::is_regular_file(path)) fail("config '", path, "': does not exist");
    nlohmann::json config = read_json_file("config", path);
    if (!config.is_object()) fail("config '", path, "': not a JSON object");
    auto it = config.find("model_type");
    if (it == config.end()) fail("config '", path, "': missing \"model_type\"");
    if (!it->is_string() || it->get<std::string>().empty())
        fail("config '", path, "': \"model_type\" is not a non-empty string");
    return config;
}

}  // namespace hfx
