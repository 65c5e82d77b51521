// Row-major GEMM over raw pointers with Eigen, split over the session pool:
// C[m x n] = A[m x k] * B[k x n] (+ C when accumulate). Strides allow transposes.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "runtime/ops/gemm_isa.h"
#include "runtime/ops/gemm_lib.h"

namespace hfx::rt {

template <class T>
void gemm(int64_t m, int64_t n, int64_t k, const T* a, bool trans_a, const T* b, bool trans_b, T* c, T alpha = T(1),
          bool accumulate = false);

// `count` independent GEMMs with per-item pointers (batched MatMul).
template <class T>
void gemm_batch(int64_t count, int64_t m, int64_t n, int64_t k, const T* const* a, const T* const* b, T* const* c);

// A constant right-hand operand (a Linear weight) packed once for the CPU's float
// kernel; gemm_packed then packs only the left operand per call.
struct PackedB {
    int64_t n = 0, k = 0;
    isa::PackedInfo info{};
    std::vector<int64_t> offsets;
    std::shared_ptr<float> data;
    size_t bytes = 0;
    // Or, where oneDNN pays (gemm_lib.h), its reordered copy instead of ours; the weight as
    // stored then serves only the row counts oneDNN refuses (a layout it cannot run, or past
    // the shapes it caches per weight).
    std::shared_ptr<lib::Weight> lib;
    const float* source = nullptr;
    bool trans_b = false;
};
// B is [n x k] when trans_b (C = A B^T, the Linear case), else [k x n]. use_lib = false
// packs for our kernel even where oneDNN would take the weight (benchmarks, tests).
std::shared_ptr<const PackedB> pack_b(const float* b, bool trans_b, int64_t n, int64_t k, bool use_lib = true);
// C[m x n] = A[m x k] * B (+ C when accumulate), rows of A and C contiguous.
void gemm_packed(int64_t m, const float* a, const PackedB& b, float* c, bool accumulate);

}  // namespace hfx::rt
