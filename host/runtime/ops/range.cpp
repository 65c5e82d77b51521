#include "runtime/ops/common.h"

namespace hfx::rt {
// n = max(ceil((limit - start) / delta), 0); out[i] = start + i * delta.
void op_range(KernelContext& ctx) {
    const Tensor& s0 = ctx.in(0);
    if (ctx.in(1).dtype != s0.dtype || ctx.in(2).dtype != s0.dtype)
        ctx.fail("start, limit and delta must share a dtype");
    dispatch_numeric(ctx, s0.dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        T start = s0.ptr<T>()[0], limit = ctx.in(1).ptr<T>()[0], delta = ctx.in(2).ptr<T>()[0];
        if (delta == T(0)) ctx.fail("delta is 0");
        double count = std::ceil((double(limit) - double(start)) / double(delta));
        int64_t n = count > 0 ? int64_t(count) : 0;
        Tensor out = Tensor::empty(s0.dtype, {n});
        T* o = out.ptr<T>();
        for (int64_t i = 0; i < n; ++i) o[i] = T(start + T(i) * delta);
        ctx.outputs[0] = std::move(out);
    });
}
}  // namespace hfx::rt
