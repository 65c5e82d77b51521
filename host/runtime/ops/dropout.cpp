#include "runtime/ops/common.h"

namespace hfx::rt {
// Inference: identity; the optional mask output is all true. (training_mode
// would need randomness and is refused.)
void op_dropout(KernelContext& ctx) {
    if (ctx.opset >= 12 && ctx.has_input(2) && ctx.in(2).numel() && scalar_value(ctx, ctx.in(2)) != 0)
        ctx.fail("training_mode is not supported");
    const Tensor& x = ctx.in(0);
    ctx.outputs[0] = x;
    if (ctx.outputs.size() > 1) {
        Tensor mask = Tensor::empty(DType::boolean, x.shape);
        std::memset(mask.data, 1, mask.nbytes());
        ctx.outputs[1] = std::move(mask);
    }
}
}  // namespace hfx::rt
