// A hand-written descriptor whose feature table is NULL although it claims two features.
#include <hfx/abi.h>
static int build(const hfx_host_api*, hfx_build*, void*) { return HFX_ERROR; }
static int reg(const hfx_host_api*, hfx_registrar* r, char*, size_t) {
    hfx_model_type_desc d{};
    d.struct_size = sizeof(d);
    d.model_type = "null-features";
    d.features = nullptr;
    d.num_features = 2;
    d.build = build;
    return r->add_model_type(r, &d);
}
static const hfx_plugin_desc desc = {sizeof(hfx_plugin_desc), HFX_ABI_MAJOR, HFX_ABI_MINOR, "null_features", "1", reg};
extern "C" HFX_EXPORT const hfx_plugin_desc* hfx_plugin_entry(void) { return &desc; }
