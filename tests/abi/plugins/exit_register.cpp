// Calls exit() while registering: that would end the host process.
#include <cstdlib>
#include <hfx/hfx.h>
HFX_PLUGIN("exit_register", "1") { std::exit(3); }
