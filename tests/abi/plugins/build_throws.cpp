// Registers fine, then fails while building: the export reports it, nothing crashes.
#include <hfx/hfx.h>
static void build(hfx::Graph& g) { g.weight("no.such.tensor", {1}); }
HFX_PLUGIN("build-throws", "1") { reg.add({.model_type = "build-throws", .features = {"default"}, .build = build}); }
