// The SDK's exception. Thrown by the C++ layer when a host call fails; caught
// by the plugin macro and returned to the host as a status with its message.
#pragma once
#include <cstdio>
#include <stdexcept>
#include <string>

namespace hfx {

// An error is one line: control characters in the names it quotes (a tensor
// name holding a newline) are written as \n, \t or \xNN.
inline std::string one_line(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        if (c >= 0x20 && c != 0x7f) {
            out += char(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        }
    }
    return out;
}

struct Error : std::runtime_error {
    explicit Error(const std::string& what) : std::runtime_error(one_line(what)) {}
    explicit Error(const char* what) : Error(std::string(what)) {}
};

}  // namespace hfx
