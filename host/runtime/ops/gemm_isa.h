// Single-precision GEMM (and GELU / LayerNorm / Softmax) kernels compiled once per x86 ISA level (gemm_isa_*.cpp,
// each with its own -m flags and its own renamed copy of Eigen, so no inline
// function built for AVX-512 can be picked by the linker for a baseline caller).
// gemm_util.cpp picks the best one the CPU supports at first use.
#pragma once
#include <cstdint>

namespace hfx::rt::isa {

// C[rows x n] (row stride ldc) = alpha * op(A) * op(B) (+ C when acc), all row-major:
// A: ta ? the columns of a [k x lda] matrix starting at a : [rows x k] with row stride lda;
// B: tb ? [n x k] : [k x n], row stride ldb.
using SgemmFn = void (*)(int64_t rows, int64_t n, int64_t k, const float* a, bool ta, int64_t lda, const float* b,
                         bool tb, int64_t ldb, float* c, int64_t ldc, float alpha, bool acc);

#define HFX_SGEMM_ARGS int64_t, int64_t, int64_t, const float*, bool, int64_t, const float*, bool, int64_t, float*, \
                       int64_t, float, bool
void sgemm_base(HFX_SGEMM_ARGS);
void sgemm_avx2(HFX_SGEMM_ARGS);
void sgemm_avx512(HFX_SGEMM_ARGS);
#undef HFX_SGEMM_ARGS

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
