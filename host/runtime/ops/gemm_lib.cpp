#include "runtime/ops/gemm_lib.h"

#include <cstdlib>
#include <cstring>

#ifdef HFX_HAVE_DNNL
#include <omp.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <tuple>
#include <vector>

#include "core/error.h"
#include "runtime/ops/parallel.h"
#endif

namespace hfx::rt::lib {

namespace {
// HFX_GEMM_LIB: "0" turns oneDNN off; "sgemm" keeps it without reordered weights (Linear then
// packs for our kernel, or with HFX_GEMM_PACK=0 runs through sgemm), to compare the two ways.
[[maybe_unused]] const char* mode() {
    static const char* e = std::getenv("HFX_GEMM_LIB");
    return e ? e : "";
}
}  // namespace

bool enabled() {
#ifdef HFX_HAVE_DNNL
    return std::strcmp(mode(), "0") != 0;
#else
    return false;
#endif
}

namespace {
[[maybe_unused]] bool primitives_on() { return enabled() && std::strcmp(mode(), "sgemm") != 0; }
}  // namespace

#ifndef HFX_HAVE_DNNL
struct Weight {};
bool sgemm(int64_t, int64_t, int64_t, const float*, bool, const float*, bool, float*, float, bool) { return false; }
std::shared_ptr<Weight> prepare(const float*, bool, int64_t, int64_t) { return nullptr; }
size_t weight_bytes(const Weight&) { return 0; }
bool matmul(int64_t, const float*, Weight&, float*, bool) { return false; }
#else
namespace {
using dnnl::memory;
using Dims = memory::dims;
constexpr auto f32 = memory::data_type::f32;

// Row counts from which oneDNN wins (bench/gemm_bench.cpp, 2 threads, bert-base shapes):
// dnnl_sgemm, which packs both operands on every call, only from ~128. The matmul primitive
// on reordered weights wins from ~32 rows and is within ~20% of our packed kernel below, but
// takes every row count: once a weight is reordered, the alternative for few rows is our
// unpacked kernel on the weight as stored, whose dropped pages would then come back from the
// file, a second copy of the weight in RAM. Small operands are not worth leaving our kernel
// for. HFX_GEMM_LIB_MIN_ROWS overrides both (the benchmark measures every size).
constexpr int64_t kMinRowsPrimitive = 1, kMinRowsSgemm = 128;
constexpr int64_t kMinOperand = int64_t(1) << 16;  // n * k
// Distinct row counts a weight keeps primitives for (each one is JIT code and a few KB);
// past that (a decoder without past, one m per step) the remaining sizes use our kernel.
constexpr size_t kMaxShapes = 16;

bool pays(int64_t m, int64_t n, int64_t k, int64_t min_rows) {
    static const int64_t forced = [] {
        const char* e = std::getenv("HFX_GEMM_LIB_MIN_ROWS");
        return e && *e ? std::max<int64_t>(1, std::atoll(e)) : 0;
    }();
    return m >= (forced ? forced : min_rows) && n * k >= kMinOperand && n >= 64;
}

const dnnl::engine& cpu() {
    static const dnnl::engine e(dnnl::engine::kind::cpu, 0);
    return e;
}

// oneDNN runs on the calling thread only: its own OpenMP team would compete with the pool
// for the same cores (handing it all threads through OpenMP instead was no faster on a quiet
// machine and several times slower with other work on the cores, bench/README.md). The
// thread's previous setting comes back for anyone else using OpenMP (libtorch).
struct OneThread {
    OneThread() : previous(omp_get_max_threads()) { omp_set_num_threads(1); }
    ~OneThread() { omp_set_num_threads(previous); }
    int previous;
};

void check(dnnl_status_t s, const char* what) {
    if (s != dnnl_success) hfx::fail("oneDNN ", what, ": status ", int(s));
}

// Column panels, one per thread of the pool, in multiples of 64 (oneDNN's widest block).
std::vector<std::pair<int64_t, int64_t> > panels(int64_t n, int threads) {
    int64_t width = std::max<int64_t>(64, (n / threads + 63) / 64 * 64);
    std::vector<std::pair<int64_t, int64_t> > out;
    for (int64_t c0 = 0; c0 < n; c0 += width) out.emplace_back(c0, std::min(n, c0 + width));
    return out;
}
}  // namespace

bool sgemm(int64_t m, int64_t n, int64_t k, const float* a, bool ta, const float* b, bool tb, float* c, float alpha,
           bool acc) {
    if (!enabled() || !pays(m, n, k, kMinRowsSgemm)) return false;
    auto parts = panels(n, parallel_threads());
    parallel_for(int64_t(parts.size()), 1, [&](int64_t p0, int64_t p1) {
        OneThread one;
        for (int64_t p = p0; p < p1; ++p) {
            auto [c0, c1] = parts[size_t(p)];
            check(dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, c1 - c0, k, alpha, a, ta ? m : k,
                             tb ? b + c0 * k : b + c0, tb ? k : n, acc ? 1.f : 0.f, c + c0, n),
                  "sgemm");
        }
    });
    return true;
}

// Per panel: the weights in the layout the primitive chose, and the primitives built for
// them, by (rows, accumulate).
struct Weight {
    struct Panel {
        int64_t c0, c1;
        memory w;
    };
    int64_t n = 0, k = 0;
    std::vector<Panel> panels;
    size_t bytes = 0;
    std::mutex mutex;
    std::map<std::pair<int64_t, bool>, std::vector<dnnl::matmul> > primitives;
};

namespace {
dnnl::matmul::primitive_desc describe(int64_t m, int64_t k, int64_t n, int64_t ldc, const memory::desc& w, bool acc) {
    memory::desc src({m, k}, f32, Dims{k, 1}), dst({m, n}, f32, Dims{ldc, 1});
    dnnl::primitive_attr attr;
    if (acc) {  // C += A B: the bias the caller wrote into C stays
        dnnl::post_ops ops;
        ops.append_sum(1.f);
        attr.set_post_ops(ops);
    }
    return dnnl::matmul::primitive_desc(dnnl::matmul::desc(src, w, dst), attr, cpu());
}
}  // namespace

std::shared_ptr<Weight> prepare(const float* b, bool trans_b, int64_t n, int64_t k) {
    if (!primitives_on() || !pays(1 << 30, n, k, 1)) return nullptr;
    auto w = std::make_shared<Weight>();
    w->n = n;
    w->k = k;
    OneThread one;
    dnnl::stream s(cpu());
    for (auto [c0, c1] : panels(n, parallel_threads())) {
        int64_t pn = c1 - c0;
        // The layout is chosen once, for a typical row count; other row counts reuse it.
        memory::desc any({k, pn}, f32, memory::format_tag::any);
        auto pd = describe(128, k, pn, n, any, false);
        memory::desc user({k, pn}, f32, trans_b ? Dims{1, k} : Dims{n, 1});
        memory src(user, cpu(), const_cast<float*>(trans_b ? b + c0 * k : b + c0));
        memory dst(pd.weights_desc(), cpu());
        dnnl::reorder(src, dst).execute(s, src, dst);
        w->bytes += pd.weights_desc().get_size();
        w->panels.push_back({c0, c1, dst});
    }
    s.wait();
    return w;
}

size_t weight_bytes(const Weight& w) { return w.bytes; }

bool matmul(int64_t m, const float* a, Weight& w, float* c, bool acc) {
    if (!enabled() || !pays(m, w.n, w.k, kMinRowsPrimitive)) return false;
    std::vector<dnnl::matmul>* prims = nullptr;
    {
        std::lock_guard<std::mutex> lock(w.mutex);
        auto it = w.primitives.find({m, acc});
        if (it == w.primitives.end()) {
            if (w.primitives.size() >= kMaxShapes) return false;
            OneThread one;  // a primitive sizes its work for the threads it sees when built
            std::vector<dnnl::matmul> made;
            try {
                for (const auto& p : w.panels)
                    made.emplace_back(describe(m, w.k, p.c1 - p.c0, w.n, p.w.get_desc(), acc));
            } catch (const dnnl::error&) {
                made.clear();  // the layout does not suit this row count: our kernel takes it
            }
            it = w.primitives.emplace(std::make_pair(m, acc), std::move(made)).first;
        }
        prims = &it->second;
    }
    if (prims->empty()) return false;
    parallel_for(int64_t(w.panels.size()), 1, [&](int64_t p0, int64_t p1) {
        OneThread one;
        dnnl::stream s(cpu());
        for (int64_t p = p0; p < p1; ++p) {
            const auto& panel = w.panels[size_t(p)];
            int64_t pn = panel.c1 - panel.c0;
            memory src({{m, w.k}, f32, Dims{w.k, 1}}, cpu(), const_cast<float*>(a));
            memory dst({{m, pn}, f32, Dims{w.n, 1}}, cpu(), c + panel.c0);
            (*prims)[size_t(p)].execute(s, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, panel.w}, {DNNL_ARG_DST, dst}});
        }
        s.wait();
    });
    return true;
}
#endif

}  // namespace hfx::rt::lib
