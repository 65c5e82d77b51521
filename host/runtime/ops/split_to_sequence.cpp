#include "runtime/ops/common.h"

namespace hfx::rt {
// SplitToSequence(input, split?): split absent = pieces of 1 (squeezed when keepdims=0),
// a scalar = pieces of that size (the last may be smaller), a 1-D tensor = the sizes.
void op_split_to_sequence(KernelContext& ctx) {
    const Tensor& x = ctx.in(0);
    if (x.rank() == 0) ctx.fail("input must not be a scalar");
    int64_t axis = norm_axis(ctx, ctx.node.attr_i("axis", 0), x.rank());
    int64_t dim = x.shape[size_t(axis)];
    std::vector<int64_t> sizes;
    bool squeeze = false;
    if (!ctx.has_input(1)) {
        sizes.assign(size_t(dim), 1);
        squeeze = ctx.node.attr_i("keepdims", 1) == 0;
    } else {
        const Tensor& sp = ctx.in(1);
        std::vector<int64_t> v = int_values(ctx, sp);
        if (sp.rank() == 0) {
            if (v[0] <= 0) ctx.fail("split size must be positive, got ", std::to_string(v[0]));
            for (int64_t left = dim; left > 0; left -= v[0]) sizes.push_back(std::min(v[0], left));
        } else {
            sizes = v;
        }
    }
    int64_t total = 0;
    for (int64_t s : sizes) {
        if (s < 0) ctx.fail("split sizes must not be negative");
        total += s;
    }
    if (total != dim) ctx.fail("split sizes add up to ", std::to_string(total), ", axis size is ", std::to_string(dim));
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= x.shape[size_t(d)];
    for (int64_t d = axis + 1; d < x.rank(); ++d) inner *= x.shape[size_t(d)];
    auto seq = std::make_shared<Sequence>();
    seq->dtype = x.dtype;
    int64_t col = 0;
    for (int64_t size : sizes) {
        Shape s = x.shape;
        s[size_t(axis)] = size;
        Tensor out = Tensor::uninitialized(x.dtype, s);
        int64_t chunk = size * inner;
        for (int64_t o = 0; o < outer; ++o) copy_elements(x, o * dim * inner + col, out, o * chunk, chunk);
        col += chunk;
        if (squeeze) s.erase(s.begin() + axis);
        seq->items.push_back(out.reshaped(s));
    }
    ctx.set_output(0, SequencePtr(std::move(seq)));
}
}  // namespace hfx::rt
