#include "runtime/ops/common.h"

namespace hfx::rt {
// Running sum along `axis` (input 1); exclusive leaves out the element itself,
// reverse runs from the end.
void op_cumsum(KernelContext& ctx) {
    const Tensor& x0 = ctx.in(0);
    Tensor x = to_compute(x0);
    int64_t axis = norm_axis(ctx, int_values(ctx, ctx.in(1)).at(0), x.rank());
    bool exclusive = ctx.node.attr_i("exclusive", 0) != 0, reverse = ctx.node.attr_i("reverse", 0) != 0;
    int64_t outer = 1, dim = x.shape[size_t(axis)], inner = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= x.shape[size_t(d)];
    for (int64_t d = axis + 1; d < x.rank(); ++d) inner *= x.shape[size_t(d)];
    Tensor out = Tensor::empty(x.dtype, x.shape);
    dispatch_numeric(ctx, x.dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        const T* px = x.ptr<T>();
        T* po = out.ptr<T>();
        for (int64_t o = 0; o < outer; ++o)
            for (int64_t i = 0; i < inner; ++i) {
                T acc = 0;
                for (int64_t s = 0; s < dim; ++s) {
                    int64_t j = reverse ? dim - 1 - s : s;
                    int64_t at = (o * dim + j) * inner + i;
                    if (exclusive) {
                        po[at] = acc;
                        acc = T(acc + px[at]);
                    } else {
                        acc = T(acc + px[at]);
                        po[at] = acc;
                    }
                }
            }
    });
    ctx.outputs[0] = from_compute(std::move(out), x0.dtype);
}
}  // namespace hfx::rt
