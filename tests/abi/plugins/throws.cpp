// Throws while registering: the SDK macro turns it into a status.
#include <hfx/hfx.h>
#include <stdexcept>
HFX_PLUGIN("throws", "1") { throw std::runtime_error("boom while registering"); }
