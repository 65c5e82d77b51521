#include "runtime/ops/common.h"

namespace hfx::rt {
void op_concat(KernelContext& ctx) {
    const Tensor& first = ctx.in(0);
    int64_t rank = first.rank();
    int64_t axis = norm_axis(ctx, ctx.node.attr_i("axis", 0), rank);
    Shape shape = first.shape;
    shape[size_t(axis)] = 0;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
        const Tensor& t = ctx.in(i);
        if (t.dtype != first.dtype)
            ctx.fail("input dtypes differ: ", dtype_name(first.dtype), " and ", dtype_name(t.dtype));
        bool ok = t.rank() == rank;
        for (int64_t d = 0; ok && d < rank; ++d) ok = d == axis || t.shape[size_t(d)] == first.shape[size_t(d)];
        if (!ok)
            ctx.fail("cannot concatenate shapes ", shape_str(first.shape), " and ", shape_str(t.shape), " on axis ",
                     std::to_string(axis));
        shape[size_t(axis)] += t.shape[size_t(axis)];
    }
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= shape[size_t(d)];
    for (int64_t d = axis + 1; d < rank; ++d) inner *= shape[size_t(d)];
    Tensor out = Tensor::empty(first.dtype, shape);
    int64_t row = shape[size_t(axis)] * inner, col = 0;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
        const Tensor& t = ctx.in(i);
        int64_t chunk = t.shape[size_t(axis)] * inner;
        for (int64_t o = 0; o < outer; ++o) copy_elements(t, o * chunk, out, o * row + col, chunk);
        col += chunk;
    }
    ctx.outputs[0] = std::move(out);
}
}  // namespace hfx::rt
