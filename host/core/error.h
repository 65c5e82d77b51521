// hfx::Error: the one exception type of the host core. Its message is the
// one-line, user-facing error: `<thing> '<name>': <what is wrong> (<where>)`.
#pragma once
#include <string>

#include "hfx/error.h"  // the one hfx::Error, shared with the plugin SDK

namespace hfx {

// fail("tensor '", name, "': shape mismatch") builds and throws the message.
template <class... Parts>
[[noreturn]] void fail(const Parts&... parts) {
    std::string msg;
    ((msg += parts), ...);
    throw Error(msg);
}

}  // namespace hfx
