// Dereferences NULL while registering: the host must report it and keep going.
#include <csignal>
#include <hfx/hfx.h>
HFX_PLUGIN("crash_register", "1") { std::raise(SIGSEGV); }
