// Variadic elementwise ops (Max, Min, Sum): a broadcasting left fold.
#pragma once
#include "runtime/ops/broadcast.h"

namespace hfx::rt {

template <class F>
void variadic_fold(KernelContext& ctx, F&& f) {
    const Tensor& first = ctx.in(0);
    Tensor acc = to_compute(first);
    for (size_t i = 1; i < ctx.num_inputs(); ++i) {
        const Tensor& next = ctx.in(i);
        if (next.dtype != first.dtype)
            ctx.fail("input dtypes differ: ", dtype_name(first.dtype), " and ", dtype_name(next.dtype));
        Tensor b = to_compute(next);
        dispatch_numeric(ctx, acc.dtype, [&](auto tag) {
            using T = typename decltype(tag)::type;
            acc = binary_map<T, T, T>(ctx, acc, b, acc.dtype, [&](T x, T y) { return T(f(x, y)); });
        });
    }
    ctx.outputs[0] = from_compute(std::move(acc), first.dtype);
}

}  // namespace hfx::rt
