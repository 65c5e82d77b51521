#include "validate/memory_budget.h"

#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <spdlog/spdlog.h>

#include "checkpoint/checkpoint.h"
#include "core/error.h"

namespace hfx {
namespace {

// "Key:   123 kB" lines of /proc/meminfo and /proc/self/status.
uint64_t proc_kb(const char* file, const std::string& key) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(key + ":", 0) == 0) return std::strtoull(line.c_str() + key.size() + 1, nullptr, 10) * 1024;
    return 0;
}

// cgroup v2 limit of this process's group, when there is one.
uint64_t cgroup_room() {
    std::ifstream max_in("/sys/fs/cgroup/memory.max"), cur_in("/sys/fs/cgroup/memory.current");
    std::string max_s, cur_s;
    if (!(max_in >> max_s) || max_s == "max" || !(cur_in >> cur_s)) return UINT64_MAX;
    uint64_t max = std::strtoull(max_s.c_str(), nullptr, 10), cur = std::strtoull(cur_s.c_str(), nullptr, 10);
    return max > cur ? max - cur : 0;
}

}  // namespace

std::string gib(uint64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.1f GiB", double(bytes) / double(1ull << 30));
    return buf;
}

ValidationFootprint validation_footprint(const Checkpoint& ckpt) {
    ValidationFootprint f;
    uint64_t stored = 0;
    for (const std::string& name : ckpt.names()) {
        const WeightRef& w = ckpt.at(name);
        stored += w.nbytes;
        if (w.dtype == DType::f16 || w.dtype == DType::bf16 || w.dtype == DType::f64)
            f.widened += uint64_t(shape_numel(w.shape)) * 4;
    }
    // Working room: activations of the small dummy inputs, the eager graph, the runtimes' plans.
    uint64_t room = (256ull << 20) + f.widened / 20;
    f.private_ = f.widened + room;
    f.mapped = 2 * stored + f.private_;
    return f;
}

MemoryAvailable memory_available() {
    MemoryAvailable a;
    if (const char* v = std::getenv("HFEXPORT_MEMORY_LIMIT"); v && *v) {
        char* end = nullptr;
        unsigned long long n = std::strtoull(v, &end, 10);
        if (end == v || *end) fail("environment 'HFEXPORT_MEMORY_LIMIT': '", v, "' is not a number of bytes");
        a.memory = n;
        a.memory_source = "HFEXPORT_MEMORY_LIMIT";
    } else {
        if (uint64_t m = proc_kb("/proc/meminfo", "MemAvailable")) a.memory = m, a.memory_source = "MemAvailable";
        if (uint64_t c = cgroup_room(); c < a.memory) a.memory = c, a.memory_source = "the cgroup's memory.max";
    }
    rlimit rl{};
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        uint64_t used = proc_kb("/proc/self/status", "VmSize");
        a.address_space = rl.rlim_cur > used ? rl.rlim_cur - used : 0;
    }
    return a;
}

void require_validation_fits(const Checkpoint& ckpt) {
    ValidationFootprint f = validation_footprint(ckpt);
    MemoryAvailable a = memory_available();
    std::string why = f.widened ? " (float32 copies of " + gib(f.widened / 2) + " of half-precision weights)" : "";
    if (f.private_ > a.memory)
        fail("validation needs about ", gib(f.private_), " of memory", why, " but ", gib(a.memory), " is available (",
             a.memory_source, "); export with --no-validate, or validate on a larger machine");
    if (f.mapped > a.address_space)
        fail("validation needs about ", gib(f.mapped), " of address space (the checkpoint and the written file mapped",
             f.widened ? ", plus float32 copies of half-precision weights" : "", ") but the limit leaves ",
             gib(a.address_space), " (ulimit -v); export with --no-validate, or raise the limit");
    spdlog::debug("validation footprint: {} private, {} mapped; available {} ({}), {} address space", gib(f.private_),
                  gib(f.mapped), gib(a.memory), a.memory_source, gib(a.address_space));
}

}  // namespace hfx
