// Registers model types whose builds crash, exit or hang: an export of them must fail in one line
// while the host (and the next export) keeps working.
#include <csignal>
#include <cstdlib>
#include <unistd.h>
#include <hfx/hfx.h>
static void crash(hfx::Graph&) { std::raise(SIGSEGV); }
static void leave(hfx::Graph&) { std::exit(4); }
static void hang(hfx::Graph&) {
    for (;;) ::pause();
}
HFX_PLUGIN("faulty_build", "1") {
    reg.add({.model_type = "build-crashes", .features = {"default"}, .build = crash});
    reg.add({.model_type = "build-exits", .features = {"default"}, .build = leave});
    reg.add({.model_type = "build-hangs", .features = {"default"}, .build = hang});
}
