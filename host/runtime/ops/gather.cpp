#include "runtime/ops/common.h"

namespace hfx::rt {
// out = data[:axis] + indices.shape + data[axis+1:]; each index copies one block.
void op_gather(KernelContext& ctx) {
    const Tensor& data = ctx.in(0);
    std::vector<int64_t> idx = int_values(ctx, ctx.in(1));
    int64_t axis = norm_axis(ctx, ctx.node.attr_i("axis", 0), data.rank());
    Shape out_shape(data.shape.begin(), data.shape.begin() + axis);
    for (int64_t d : ctx.in(1).shape) out_shape.push_back(d);
    out_shape.insert(out_shape.end(), data.shape.begin() + axis + 1, data.shape.end());
    int64_t outer = 1, inner = 1, dim = data.shape[size_t(axis)];
    for (int64_t i = 0; i < axis; ++i) outer *= data.shape[size_t(i)];
    for (size_t i = size_t(axis) + 1; i < data.shape.size(); ++i) inner *= data.shape[i];
    for (int64_t& v : idx) {
        if (v < -dim || v >= dim)
            ctx.fail("index ", std::to_string(v), " out of range for axis ", std::to_string(axis), " of size ",
                     std::to_string(dim));
        if (v < 0) v += dim;
    }
    Tensor out = Tensor::empty(data.dtype, out_shape);
    int64_t n = int64_t(idx.size());
    for (int64_t o = 0; o < outer; ++o)
        for (int64_t j = 0; j < n; ++j)
            copy_elements(data, (o * dim + idx[size_t(j)]) * inner, out, (o * n + j) * inner, inner);
    ctx.outputs[0] = std::move(out);
}
}  // namespace hfx::rt
