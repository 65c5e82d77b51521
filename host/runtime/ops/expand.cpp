#include "runtime/ops/broadcast.h"
#include "runtime/ops/strided.h"

namespace hfx::rt {
// Bidirectional broadcast of the input against the given shape.
void op_expand(KernelContext& ctx) {
    const Tensor& x = ctx.in(0);
    Shape target = int_values(ctx, ctx.in(1));
    Shape out_shape = broadcast_shape(ctx, {x.shape, target});
    std::vector<int64_t> st = broadcast_strides(x.shape, out_shape);
    Tensor out = Tensor::empty(x.dtype, out_shape);
    strided_copy(x, 0, st, out);
    ctx.outputs[0] = std::move(out);
}
}  // namespace hfx::rt
