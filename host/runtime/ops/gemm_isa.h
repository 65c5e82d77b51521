// Single-precision GEMM (and GELU / LayerNorm / Softmax) kernels compiled once per x86 ISA level (gemm_isa_*.cpp,
// each with its own -m flags and its own renamed copy of Eigen, so no inline
// function built for AVX-512 can be picked by the linker for a baseline caller).
// gemm_util.cpp picks the best one the CPU supports at first use.
#pragma once
#include <cstdint>

namespace hfx::rt::isa {

// C[rows x n] (ldc = n) = alpha * op(A) * op(B) (+ C when acc).
// A: ta ? column block of a [k x lda] matrix (a points at its first column)
//       : [rows x k] contiguous. B: tb ? [n x k] : [k x n], contiguous.
using SgemmFn = void (*)(int64_t rows, int64_t n, int64_t k, const float* a, bool ta, int64_t lda, const float* b,
                         bool tb, float* c, float alpha, bool acc);

void sgemm_base(int64_t, int64_t, int64_t, const float*, bool, int64_t, const float*, bool, float*, float, bool);
void sgemm_avx2(int64_t, int64_t, int64_t, const float*, bool, int64_t, const float*, bool, float*, float, bool);
void sgemm_avx512(int64_t, int64_t, int64_t, const float*, bool, int64_t, const float*, bool, float*, float, bool);

using GeluFn = void (*)(const float* x, float* y, int64_t n, float c);  // 0.5 x (1 + erf(c x))
using LayerNormFn = void (*)(const float* x, float* y, int64_t rows, int64_t n, const float* g, const float* b,
                             float eps);  // b may be null
using SoftmaxFn = void (*)(const float* x, float* y, int64_t rows, int64_t n);  // over contiguous rows
void softmax_base(const float*, float*, int64_t, int64_t);
void softmax_avx2(const float*, float*, int64_t, int64_t);
void softmax_avx512(const float*, float*, int64_t, int64_t);
void gelu_base(const float*, float*, int64_t, float);
void gelu_avx2(const float*, float*, int64_t, float);
void gelu_avx512(const float*, float*, int64_t, float);
void layernorm_base(const float*, float*, int64_t, int64_t, const float*, const float*, float);
void layernorm_avx2(const float*, float*, int64_t, int64_t, const float*, const float*, float);
void layernorm_avx512(const float*, float*, int64_t, int64_t, const float*, const float*, float);

// The best kernels for this CPU (HFX_GEMM_ISA=base|avx2|avx512 forces one it supports).
SgemmFn sgemm();
GeluFn gelu();
LayerNormFn layernorm();
SoftmaxFn softmax();
const char* sgemm_isa();

}  // namespace hfx::rt::isa
