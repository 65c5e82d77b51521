#include "runtime/ops/unary.h"

namespace hfx::rt {
void op_is_nan(KernelContext& ctx) {
    Tensor x = to_compute(ctx.in(0));
    dispatch_float(ctx, x.dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        ctx.outputs[0] = unary_map<T>(x, DType::boolean, [](T v) -> bool { return std::isnan(v); });
    });
}
}  // namespace hfx::rt
