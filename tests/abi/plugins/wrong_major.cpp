// Built for a future ABI major: the host must refuse it.
#include <hfx/abi.h>
static int reg(const hfx_host_api*, hfx_registrar*, char*, size_t) { return HFX_OK; }
extern "C" HFX_EXPORT const hfx_plugin_desc* hfx_plugin_entry(void) {
    static const hfx_plugin_desc d = {sizeof(hfx_plugin_desc), HFX_ABI_MAJOR + 1, 0, "wrong-major", "1", reg};
    return &d;
}
