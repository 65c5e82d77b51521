// Aborts in its entry point (written by hand, as a plugin without the SDK macro would).
#include <cstdlib>
#include <hfx/abi.h>
extern "C" HFX_EXPORT const hfx_plugin_desc* hfx_plugin_entry(void) { std::abort(); }
