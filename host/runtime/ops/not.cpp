#include "runtime/ops/unary.h"

namespace hfx::rt {
void op_not(KernelContext& ctx) {
    const Tensor& x = ctx.in(0);
    if (x.dtype != DType::boolean) ctx.fail("input must be bool, got ", dtype_name(x.dtype));
    ctx.outputs[0] = unary_map<bool>(x, DType::boolean, [](bool v) { return !v; });
}
}  // namespace hfx::rt
