#include "checkpoint/json_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <vector>

#include "core/error.h"

namespace hfx {

bool parse_json_unique(const char* begin, const char* end, nlohmann::json& out, JsonDuplicate& dup) {
    using json = nlohmann::json;
    std::vector<std::set<std::string>> open;  // the keys seen in each object being parsed
    bool unique = true;
    json::parser_callback_t cb = [&](int, json::parse_event_t event, json& parsed) {
        if (event == json::parse_event_t::object_start) open.emplace_back();
        else if (event == json::parse_event_t::object_end && !open.empty()) open.pop_back();
        else if (event == json::parse_event_t::key && !open.empty() &&
                 !open.back().insert(parsed.get<std::string>()).second && unique) {
            unique = false;
            dup = {parsed.get<std::string>(), int(open.size())};
        }
        return true;
    };
    out = json::parse(begin, end, cb);
    return unique;
}

nlohmann::json read_json_file(const std::string& thing, const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(thing, " '", path, "': cannot be read: ", std::strerror(errno));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    try {
        nlohmann::json out;
        JsonDuplicate dup;
        if (!parse_json_unique(text.data(), text.data() + text.size(), out, dup))
            fail(thing, " '", path, "': key '", dup.key, "' appears twice in one object");
        return out;
    } catch (const nlohmann::json::parse_error& e) {
        // Line and column rather than nlohmann's byte offset: editors show those.
        size_t line = 1, column = 1, stop = std::min<size_t>(e.byte ? e.byte - 1 : 0, text.size());
        for (size_t i = 0; i < stop; ++i) {
            if (text[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        fail(thing, " '", path, "': not valid JSON (line ", std::to_string(line), ", column ", std::to_string(column),
             ")");
    } catch (const nlohmann::json::out_of_range&) {
        // A number no double holds (1e612): nlohmann throws out_of_range, not parse_error (found by fuzz/).
        fail(thing, " '", path, "': a number is out of range (over 1.8e308)");
    }
}

}  // namespace hfx
