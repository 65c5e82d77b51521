// Declares a name its file (libhfx_misnamed.so) does not carry.
#include <hfx/hfx.h>
static void build(hfx::Graph&) {}
HFX_PLUGIN("bert-tools", "1") { reg.add({.model_type = "misnamed", .features = {"default"}, .build = build}); }
