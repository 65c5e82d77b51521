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

#define HFX_SGEMM_ARGS \
    int64_t, int64_t, int64_t, const float*, bool, int64_t, const float*, bool, int64_t, float*, int64_t, float, bool
void sgemm_base(HFX_SGEMM_ARGS);
void sgemm_avx2(HFX_SGEMM_ARGS);
void sgemm_avx512(HFX_SGEMM_ARGS);
#undef HFX_SGEMM_ARGS

// Constant right-hand operands (weights) packed once into the layout the kernel of this
// ISA reads (Eigen's LHS panels for C^T = B^T A^T), in blocks of kc (depth) x mc (columns
// of C), each block starting 64-byte aligned. A column range given to sgemm_packed starts
// at a multiple of mr (or is the whole range).
struct PackedInfo {
    int64_t kc, mc, mr;
};
using PackedInfoFn = PackedInfo (*)(int64_t n, int64_t k);
// Packs B (tb ? [n x k] : [k x n], row stride ldb) into dst, block (i, j) at offsets[i * kblocks + j].
using PackFn = void (*)(const float* b, bool tb, int64_t ldb, int64_t n, int64_t k, const PackedInfo& info,
                        const int64_t* offsets, float* dst);
// C[rows x (n1 - n0)] at columns n0.. of c (row stride ldc) += A[rows x k] (row stride lda) * B[:, n0:n1].
using SgemmPackedFn = void (*)(int64_t rows, int64_t n0, int64_t n1, int64_t n, int64_t k, const float* a, int64_t lda,
                               const float* packed, const int64_t* offsets, const PackedInfo& info, float* c,
                               int64_t ldc);
#define HFX_PACKED_DECL(isa)                                                                                     \
    PackedInfo packed_info_##isa(int64_t, int64_t);                                                              \
    void pack_b_##isa(const float*, bool, int64_t, int64_t, int64_t, const PackedInfo&, const int64_t*, float*); \
    void sgemm_packed_##isa(int64_t, int64_t, int64_t, int64_t, int64_t, const float*, int64_t, const float*,    \
                            const int64_t*, const PackedInfo&, float*, int64_t);
HFX_PACKED_DECL(base)
HFX_PACKED_DECL(avx2)
HFX_PACKED_DECL(avx512)
#undef HFX_PACKED_DECL

using GeluFn = void (*)(const float* x, float* y, int64_t n, float c);  // 0.5 x (1 + erf(c x))
using LayerNormFn = void (*)(const float* x, float* y, int64_t rows, int64_t n, const float* g, const float* b,
                             float eps);                                        // b may be null
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
PackedInfoFn packed_info();
PackFn pack_b();
SgemmPackedFn sgemm_packed();
GeluFn gelu();
LayerNormFn layernorm();
SoftmaxFn softmax();
const char* sgemm_isa();

}  // namespace hfx::rt::isa
