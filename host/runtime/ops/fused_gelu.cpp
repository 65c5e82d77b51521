// Fused erf-GELU (fuse/gelu.cpp): y = 0.5 x (1 + erf(c x)), c = 1/sqrt(2), in one pass.
// min_rank = 1 when the matched constants were [1] tensors: a scalar input becomes [1],
// as broadcasting the unfused graph would make it.
#include "runtime/ops/gemm_isa.h"
#include "runtime/ops/ops.h"
#include "runtime/ops/parallel.h"

namespace hfx::rt {
void op_fused_gelu(KernelContext& ctx) {
    const Tensor& x = ctx.in(0);
    if (x.dtype != DType::f32)
        ctx.fail("fused Gelu: expected a float32 tensor, got ", dtype_name(x.dtype), " ", shape_str(x.shape));
    int64_t min_rank = ctx.node.attr_i("min_rank", 0);
    Tensor out = Tensor::uninitialized(DType::f32, x.rank() < min_rank ? Shape{1} : x.shape);
    const float* px = x.ptr<float>();
    float* py = out.ptr<float>();
    auto fn = isa::gelu();
    float c = ctx.node.attr_f("c", 0.70710678f);
    parallel_for(x.numel(), 1 << 14, [&](int64_t b, int64_t e) { fn(px + b, py + b, e - b, c); });
    ctx.outputs[0] = std::move(out);
}
}  // namespace hfx::rt
