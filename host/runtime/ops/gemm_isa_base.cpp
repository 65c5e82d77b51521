// Float GEMM kernel for the base ISA level (flags in host/CMakeLists.txt); see gemm_isa.h.
#define HFX_ISA_FN sgemm_base
#define HFX_ISA_EIGEN hfx_eigen_base
#include "runtime/ops/gemm_isa.inc"
