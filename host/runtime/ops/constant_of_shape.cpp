#include "runtime/ops/common.h"

namespace hfx::rt {
void op_constant_of_shape(KernelContext& ctx) {
    Shape s = int_values(ctx, ctx.in(0));
    for (int64_t d : s)
        if (d < 0) ctx.fail("negative dimension in shape ", shape_str(s));
    auto it = ctx.node.attrs.find("value");
    if (it == ctx.node.attrs.end()) {
        ctx.outputs[0] = Tensor::empty(DType::f32, s);
        return;
    }
    const Tensor& v = it->second.t;
    if (v.numel() != 1) ctx.fail("value must hold one element");
    Tensor out = Tensor::empty(v.dtype, s);
    for (int64_t i = 0; i < out.numel(); ++i) copy_elements(v, 0, out, i, 1);
    ctx.outputs[0] = std::move(out);
}
}  // namespace hfx::rt
