// Reading a small JSON file (config.json, *.index.json) with errors that name
// the file: `<thing> '<path>': not valid JSON (line 3, column 5)`.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace hfx {

nlohmann::json read_json_file(const std::string& thing, const std::string& path);

}  // namespace hfx
