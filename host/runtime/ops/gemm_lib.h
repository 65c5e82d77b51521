// Large float GEMMs through oneDNN, when the build found it (HFX_WITH_DNNL): on bert-base
// shapes it beats our AVX-512 kernel (bench/gemm_bench.cpp). Every entry point reports
// whether it took the work; when it did not (no oneDNN, HFX_GEMM_LIB=0, a size below the
// measured threshold, or a layout oneDNN refused) the caller runs our kernel instead.
//
// Threads: the work is split over the session's pool (parallel.h) in column panels, and
// oneDNN runs each panel on one thread, so it never starts OpenMP threads of its own that
// would compete with the pool for the same cores.
#pragma once
#include <cstdint>
#include <memory>

namespace hfx::rt::lib {

// Built with oneDNN and not turned off with HFX_GEMM_LIB=0.
bool enabled();

// C[m x n] = alpha * op(A) op(B) (+ C when acc), row-major, A [m x k] or (ta) [k x m],
// B [k x n] or (tb) [n x k]; through dnnl_sgemm when the size pays.
bool sgemm(int64_t m, int64_t n, int64_t k, const float* a, bool ta, const float* b, bool tb, float* c, float alpha,
           bool acc);

// A constant right-hand operand (a Linear weight) reordered once into the blocked layout
// oneDNN's matmul primitive reads fastest, with the primitives built for it (one per row
// count, cached). B is [n x k] when trans_b (C = A B^T), else [k x n].
// Memory: the reordered copy takes the place of our own packed copy (gemm_util.h, same size)
// and the session still drops the weight's mapped pages once it is made, so the resident set
// grows only by oneDNN's code and scratch buffers (bert-base peak RSS 360 -> 370 MB at batch 1,
// 408 -> 426..445 MB at batch 8), not by a second copy of the weights.
struct Weight;
// Null when the library is off or this weight is too small for it to pay.
std::shared_ptr<Weight> prepare(const float* b, bool trans_b, int64_t n, int64_t k);
size_t weight_bytes(const Weight& w);  // the reordered copy
// C[m x n] = A[m x k] * B (+ C when acc); false when m is too small to pay (use our kernel).
bool matmul(int64_t m, const float* a, Weight& w, float* c, bool acc);

}  // namespace hfx::rt::lib
