// Fused LayerNorm (fuse/layer_norm.cpp): the opset < 17 lowering of LayerNormalization
// over the last axis, y = (x - mean) / sqrt(var + epsilon) * gamma (+ beta), in one pass.
#include <algorithm>

#include "runtime/ops/gemm_isa.h"
#include "runtime/ops/ops.h"
#include "runtime/ops/parallel.h"

namespace hfx::rt {
void op_fused_layer_norm(KernelContext& ctx) {
    const Tensor& x = ctx.in(0);
    const Tensor& g = ctx.in(1);
    if (x.dtype != DType::f32 || x.rank() == 0)
        ctx.fail("fused LayerNorm: expected a float32 tensor, got ", dtype_name(x.dtype), " ", shape_str(x.shape));
    const float* pb = ctx.has_input(2) ? ctx.in(2).ptr<float>() : nullptr;
    int64_t n = x.shape.back();
    if (n != g.shape[0])
        ctx.fail("fused LayerNorm: last dimension of ", shape_str(x.shape), " does not match the scale ",
                 shape_str(g.shape));
    Tensor out = Tensor::uninitialized(DType::f32, x.shape);
    const float* px = x.ptr<float>();
    float* py = out.ptr<float>();
    auto fn = isa::layernorm();
    float eps = ctx.node.attr_f("epsilon", 1e-5f);
    parallel_for(x.numel() / std::max<int64_t>(1, n), std::max<int64_t>(1, 8192 / std::max<int64_t>(1, n)),
                 [&](int64_t b, int64_t e) { fn(px + b * n, py + b * n, e - b, n, g.ptr<float>(), pb, eps); });
    ctx.outputs[0] = std::move(out);
}
}  // namespace hfx::rt
