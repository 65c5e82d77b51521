// Float GEMM, GELU, LayerNorm and Softmax kernels for the avx512 ISA level (flags in host/CMakeLists.txt); see gemm_isa.h.
#define HFX_ISA_FN sgemm_avx512
#define HFX_ISA_PACKED_INFO packed_info_avx512
#define HFX_ISA_PACK pack_b_avx512
#define HFX_ISA_SGEMM_PACKED sgemm_packed_avx512
#define HFX_ISA_EIGEN hfx_eigen_avx512
#define HFX_ISA_GELU gelu_avx512
#define HFX_ISA_SOFTMAX softmax_avx512
#define HFX_ISA_LAYERNORM layernorm_avx512
#include "runtime/ops/gemm_isa.inc"
