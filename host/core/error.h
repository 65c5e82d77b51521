// hfx::Error: the one exception type of the host core. Its message is the
// one-line, user-facing error: `<thing> '<name>': <what is wrong> (<where>)`.
#pragma once
#include <stdexcept>
#include <string>

namespace hfx {

struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// fail("tensor '", name, "': shape mismatch") builds and throws the message.
template <class... Parts>
[[noreturn]] void fail(const Parts&... parts) {
    std::string msg;
    ((msg += parts), ...);
    throw Error(msg);
}

}  // namespace hfx
