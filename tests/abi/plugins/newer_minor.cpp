// Built against a newer minor than the host has: it may use functions the host lacks.
#include <hfx/abi.h>
static int reg(const hfx_host_api*, hfx_registrar*, char*, size_t) { return HFX_OK; }
extern "C" HFX_EXPORT const hfx_plugin_desc* hfx_plugin_entry(void) {
    static const hfx_plugin_desc d = {sizeof(hfx_plugin_desc), HFX_ABI_MAJOR, HFX_ABI_MINOR + 1,
                                      "newer-minor",           "1",           reg};
    return &d;
}
