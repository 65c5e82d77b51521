// Reading a small JSON file (config.json, *.index.json) with errors that name
// the file: `<thing> '<path>': not valid JSON (line 3, column 5)`.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace hfx {

nlohmann::json read_json_file(const std::string& thing, const std::string& path);

// A key that appears twice in one object. nlohmann (like Python's json) keeps
// the last one without a word, so a safetensors header or an index naming a
// tensor twice would silently load other bytes than the first entry says.
struct JsonDuplicate {
    std::string key;
    int depth = 0;  // of the object holding it: 1 is the top level
};
// Parses [begin, end) as nlohmann::json::parse does (throws its parse_error);
// when a key repeats, returns false and fills `dup` with the first one.
bool parse_json_unique(const char* begin, const char* end, nlohmann::json& out, JsonDuplicate& dup);

}  // namespace hfx
