#include "runtime/ops/common.h"

namespace hfx::rt {
void op_cast(KernelContext& ctx) {
    int64_t to = ctx.node.attr_i("to", 0);
    DType t = dtype_from_int(int32_t(to));
    if (t == DType::undefined) ctx.fail("unsupported target type ", std::to_string(to));
    ctx.outputs[0] = cast_tensor(ctx, ctx.in(0), t);
}

void op_cast_like(KernelContext& ctx) { ctx.outputs[0] = cast_tensor(ctx, ctx.in(0), ctx.in(1).dtype); }
}  // namespace hfx::rt
