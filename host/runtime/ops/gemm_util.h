// Row-major GEMM over raw pointers with Eigen, split over the session pool:
// C[m x n] = A[m x k] * B[k x n] (+ C when accumulate). Strides allow transposes.
#pragma once
#include <cstdint>

namespace hfx::rt {

template <class T>
void gemm(int64_t m, int64_t n, int64_t k, const T* a, bool trans_a, const T* b, bool trans_b, T* c,
          T alpha = T(1), bool accumulate = false);

// `count` independent GEMMs with per-item pointers (batched MatMul).
template <class T>
void gemm_batch(int64_t count, int64_t m, int64_t n, int64_t k, const T* const* a, const T* const* b, T* const* c);

}  // namespace hfx::rt
