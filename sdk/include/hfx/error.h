// The SDK's exception. Thrown by the C++ layer when a host call fails; caught
// by the plugin macro and returned to the host as a status with its message.
#pragma once
#include <stdexcept>
#include <string>

namespace hfx {

struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace hfx
