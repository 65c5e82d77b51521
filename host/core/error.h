// hfx::Error: the one exception type of the host core (sdk/include/hfx/error.h).
// Its message is the one-line, user-facing error: `<thing> '<name>': <what is wrong>
// (<where>)`; its kind says who has to act (the CLI's exit code, README.md).
//
// Throw sites name the kind (fail_config(...), fail(ErrorKind::internal, ...)); a plain
// fail(...) takes the kind of the area it runs in: ErrorArea sets it for a scope (the
// checkpoint reader, config.json, plugin loading), and outside any area it is `input`.
#pragma once
#include <string>

#include "hfx/error.h"  // the one hfx::Error, shared with the plugin SDK

namespace hfx {

namespace detail {
inline thread_local ErrorKind area_kind = ErrorKind::input;

template <class... Parts>
std::string join(const Parts&... parts) {
    std::string msg;
    ((msg += parts), ...);
    return msg;
}
}  // namespace detail

// The kind plain fail(...) gives while this object lives (areas nest).
class ErrorArea {
public:
    explicit ErrorArea(ErrorKind kind) : previous_(detail::area_kind) { detail::area_kind = kind; }
    ~ErrorArea() { detail::area_kind = previous_; }
    ErrorArea(const ErrorArea&) = delete;
    ErrorArea& operator=(const ErrorArea&) = delete;

private:
    ErrorKind previous_;
};

inline ErrorKind current_error_area() { return detail::area_kind; }

// fail("tensor '", name, "': shape mismatch") builds and throws the message.
template <class... Parts>
[[noreturn]] void fail(const Parts&... parts) {
    throw Error(detail::area_kind, detail::join(parts...));
}

template <class... Parts>
[[noreturn]] void fail(ErrorKind kind, const Parts&... parts) {
    throw Error(kind, detail::join(parts...));
}

template <class... Parts>
[[noreturn]] void fail_input(const Parts&... parts) {
    fail(ErrorKind::input, parts...);
}
template <class... Parts>
[[noreturn]] void fail_checkpoint(const Parts&... parts) {
    fail(ErrorKind::checkpoint, parts...);
}
template <class... Parts>
[[noreturn]] void fail_config(const Parts&... parts) {
    fail(ErrorKind::config, parts...);
}
template <class... Parts>
[[noreturn]] void fail_plugin(const Parts&... parts) {
    fail(ErrorKind::plugin, parts...);
}
template <class... Parts>
[[noreturn]] void fail_internal(const Parts&... parts) {
    fail(ErrorKind::internal, parts...);
}

// An error inside graph node `node` (its message starts "node '<node>' ..."): the runtime
// does not wrap it with the node's name a second time.
template <class... Parts>
[[noreturn]] void fail_at_node(const std::string& node, const Parts&... parts) {
    throw Error(detail::area_kind, detail::join(parts...), node);
}

// The same error with another kind (a plugin's message, a nested failure rethrown).
inline Error with_kind(const Error& e, ErrorKind kind) { return Error(kind, e.what(), e.node()); }

}  // namespace hfx
