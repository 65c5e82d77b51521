// Plugin isolation: plugins are untrusted neighbours, so the first time the host
// meets one (a file it has no verdict for) it loads and registers it in a child
// process, and every graph build runs once in a child before it runs in the host.
// A segfault, abort, exit() or hang there becomes a one-line problem naming the
// file; the host keeps working. Verdicts of registration probes are cached by
// the file's path, size, mtime and content hash (plugin_probe_cache.h).
//
// HFEXPORT_PLUGIN_ISOLATION=0 turns the child runs off (e.g. to debug a plugin in
// gdb); HFEXPORT_PLUGIN_TIMEOUT=SECONDS bounds each child (default 60).
#pragma once
#include <functional>
#include <string>

namespace hfx {

struct ChildOutcome {
    bool ok = false;
    bool died = false;    // crashed, called exit() or hung (else `work` itself reported the problem)
    bool ran = true;      // false: no child could be started (no pipe or fork); nothing was judged
    std::string problem;  // when !ok: "crashed (signal 11, Segmentation fault)", "called exit(3)", ...
};

// Runs `work` in a forked child. `work` returns "" when all went well, else a
// one-line message, which comes back as the problem. Waits at most `timeout_s`.
ChildOutcome run_in_child(const std::function<std::string()>& work, double timeout_s);

bool plugin_isolation_enabled();
double plugin_timeout_seconds();

}  // namespace hfx
