// Float GEMM, GELU, LayerNorm and Softmax kernels for the avx2 ISA level (flags in host/CMakeLists.txt); see gemm_isa.h.
#define HFX_ISA_FN sgemm_avx2
#define HFX_ISA_PACKED_INFO packed_info_avx2
#define HFX_ISA_PACK pack_b_avx2
#define HFX_ISA_SGEMM_PACKED sgemm_packed_avx2
#define HFX_ISA_EIGEN hfx_eigen_avx2
#define HFX_ISA_GELU gelu_avx2
#define HFX_ISA_SOFTMAX softmax_avx2
#define HFX_ISA_LAYERNORM layernorm_avx2
#include "runtime/ops/gemm_isa.inc"
