#include "runtime/ops/common.h"

namespace hfx::rt {
// ConcatFromSequence: Concat of the items on `axis`, or (new_axis=1) Stack on a new
// axis in [-rank-1, rank].
void op_concat_from_sequence(KernelContext& ctx) {
    const Sequence& seq = ctx.seq(0);
    if (seq.items.empty()) ctx.fail("the sequence is empty");
    const Tensor& first = seq.items[0];
    bool stack = ctx.node.attr_i("new_axis", 0) != 0;
    int64_t rank = first.rank() + (stack ? 1 : 0);
    int64_t axis = norm_axis(ctx, ctx.node.attr_i("axis", 0), rank);
    Shape shape = first.shape;
    if (stack) shape.insert(shape.begin() + axis, 0);
    else shape[size_t(axis)] = 0;
    for (const Tensor& t : seq.items) {
        bool ok = t.dtype == first.dtype && t.rank() == first.rank();
        for (int64_t d = 0; ok && d < first.rank(); ++d)
            ok = (!stack && d == axis) || t.shape[size_t(d)] == first.shape[size_t(d)];
        if (!ok)
            ctx.fail("cannot ", stack ? "stack " : "concatenate ", dtype_name(first.dtype), " ", shape_str(first.shape),
                     " and ", dtype_name(t.dtype), " ", shape_str(t.shape), " on axis ", std::to_string(axis));
        shape[size_t(axis)] += stack ? 1 : t.shape[size_t(axis)];
    }
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= shape[size_t(d)];
    for (int64_t d = axis + 1; d < rank; ++d) inner *= shape[size_t(d)];
    Tensor out = Tensor::uninitialized(first.dtype, shape);
    int64_t row = shape[size_t(axis)] * inner, col = 0;
    for (const Tensor& t : seq.items) {
        int64_t chunk = (stack ? 1 : t.shape[size_t(axis)]) * inner;
        for (int64_t o = 0; o < outer; ++o) copy_elements(t, o * chunk, out, o * row + col, chunk);
        col += chunk;
    }
    ctx.outputs[0] = std::move(out);
}
}  // namespace hfx::rt
