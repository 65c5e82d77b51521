#include "runtime/ops/unary.h"

#include <limits>

namespace hfx::rt {
// Bounds are attributes before opset 11 and optional inputs from 11 on.
void op_clip(KernelContext& ctx) {
    double lo = -std::numeric_limits<double>::infinity(), hi = std::numeric_limits<double>::infinity();
    if (ctx.opset < 11) {
        lo = ctx.node.attr_f("min", -std::numeric_limits<float>::max());
        hi = ctx.node.attr_f("max", std::numeric_limits<float>::max());
    } else {
        if (ctx.has_input(1)) lo = scalar_value(ctx, ctx.in(1));
        if (ctx.has_input(2)) hi = scalar_value(ctx, ctx.in(2));
    }
    unary_numeric(ctx, [lo, hi](auto x) -> decltype(x) {
        using T = decltype(x);
        if constexpr (std::is_floating_point_v<T>)
            if (std::isnan(x)) return x;
        double v = double(x);
        if (v < lo) return T(lo);
        if (v > hi) return T(hi);
        return x;
    });
}
}  // namespace hfx::rt
