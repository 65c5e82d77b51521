// Float GEMM, GELU, LayerNorm and Softmax kernels for the base ISA level (flags in host/CMakeLists.txt); see gemm_isa.h.
#define HFX_ISA_FN sgemm_base
#define HFX_ISA_PACKED_INFO packed_info_base
#define HFX_ISA_PACK pack_b_base
#define HFX_ISA_SGEMM_PACKED sgemm_packed_base
#define HFX_ISA_EIGEN hfx_eigen_base
#define HFX_ISA_GELU gelu_base
#define HFX_ISA_SOFTMAX softmax_base
#define HFX_ISA_LAYERNORM layernorm_base
#include "runtime/ops/gemm_isa.inc"
