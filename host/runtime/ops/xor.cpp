#include "runtime/ops/broadcast.h"

namespace hfx::rt {
void op_xor(KernelContext& ctx) {
    const Tensor& a = ctx.in(0);
    const Tensor& b = ctx.in(1);
    if (a.dtype != DType::boolean || b.dtype != DType::boolean) ctx.fail("inputs must be bool");
    ctx.outputs[0] = binary_map<bool, bool, bool>(ctx, a, b, DType::boolean, [](bool a, bool b) { return a != b; });
}
}  // namespace hfx::rt
