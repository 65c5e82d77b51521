// Crashes in a static constructor, i.e. inside dlopen, before any hfexport code runs.
#include <csignal>
#include <hfx/hfx.h>
__attribute__((constructor)) static void crash_on_load() { std::raise(SIGSEGV); }
HFX_PLUGIN("crash_constructor", "1") {}
