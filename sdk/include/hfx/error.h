// The SDK's exception, and the host's: one type with a kind and a one-line message.
// Thrown by the C++ layer when a host call fails; caught by the plugin macro and
// returned to the host as a status with its message (the C ABI carries the text
// only: the host gives what a plugin returns the kind `plugin`).
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

// Who has to act on an error; the command line maps each to its exit code (README.md).
enum class ErrorKind {
    input,       // a command-line argument, option or input file (ONNX model, tensors, images)
    checkpoint,  // the checkpoint's weights or files (safetensors, pytorch_model.bin, shards)
    config,      // config.json and the other JSON/TOML configuration a checkpoint or the user gives
    plugin,      // a plugin: refused to load, failed or built a graph the host rejects
    internal,    // hfexport itself (a bug): an invariant that does not hold
};

inline const char* error_kind_name(ErrorKind k) {
    switch (k) {
        case ErrorKind::input:
            return "input";
        case ErrorKind::checkpoint:
            return "checkpoint";
        case ErrorKind::config:
            return "config";
        case ErrorKind::plugin:
            return "plugin";
        case ErrorKind::internal:
            return "internal";
    }
    return "internal";
}

struct Error : std::runtime_error {
    explicit Error(const std::string& what) : std::runtime_error(one_line(what)) {}
    explicit Error(const char* what) : Error(std::string(what)) {}
    Error(ErrorKind kind, const std::string& what, std::string node = {})
        : std::runtime_error(one_line(what)), kind_(kind), node_(std::move(node)) {}

    ErrorKind kind() const { return kind_; }
    // The graph node the message names first ("node '<name>' (<Op>): ..."), empty when it
    // names none: an error raised inside a node's kernel is not wrapped a second time.
    const std::string& node() const { return node_; }

private:
    ErrorKind kind_ = ErrorKind::input;
    std::string node_;
};

}  // namespace hfx
