#include "checkpoint/json_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "core/error.h"

namespace hfx {

nlohmann::json read_json_file(const std::string& thing, const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(thing, " '", path, "': cannot be read: ", std::strerror(errno));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        // Line and column rather than nlohmann's byte offset: editors show those.
        size_t line = 1, column = 1, stop = std::min<size_t>(e.byte ? e.byte - 1 : 0, text.size());
        for (size_t i = 0; i < stop; ++i) {
            if (text[i] == '\n') { ++line; column = 1; } else { ++column; }
        }
        fail(thing, " '", path, "': not valid JSON (line ", std::to_string(line), ", column ",
             std::to_string(column), ")");
    }
}

}  // namespace hfx
