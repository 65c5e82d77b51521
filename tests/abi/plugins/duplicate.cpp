// Registers a model type the in-tree bert plugin already owns.
#include <hfx/hfx.h>
static void build(hfx::Graph&) {}
HFX_PLUGIN("duplicate", "1") { reg.add({.model_type = "bert", .features = {"default"}, .build = build}); }
