#include "runtime/ops/common.h"

namespace hfx::rt {
// out[i][j][k] = data[i][idx[i][j][k]][k] (axis = 1); out has the indices' shape.
void op_gather_elements(KernelContext& ctx) {
    const Tensor& data = ctx.in(0);
    const Tensor& it = ctx.in(1);
    std::vector<int64_t> idx = int_values(ctx, it);
    int64_t rank = data.rank();
    if (it.rank() != rank)
        ctx.fail("indices rank ", std::to_string(it.rank()), " differs from data rank ", std::to_string(rank));
    int64_t axis = norm_axis(ctx, ctx.node.attr_i("axis", 0), rank);
    Shape ds = strides_of(data.shape);
    Tensor out = Tensor::empty(data.dtype, it.shape);
    std::vector<int64_t> pos(size_t(rank), 0);
    int64_t dim = data.shape[size_t(axis)];
    for (size_t i = 0; i < idx.size(); ++i) {
        int64_t v = idx[i];
        if (v < -dim || v >= dim) ctx.fail("index ", std::to_string(v), " out of range");
        if (v < 0) v += dim;
        int64_t off = 0;
        for (int64_t d = 0; d < rank; ++d) off += (d == axis ? v : pos[size_t(d)]) * ds[size_t(d)];
        copy_elements(data, off, out, int64_t(i), 1);
        for (int64_t d = rank - 1; d >= 0; --d) {
            if (++pos[size_t(d)] < it.shape[size_t(d)]) break;
            pos[size_t(d)] = 0;
        }
    }
    ctx.outputs[0] = std::move(out);
}
}  // namespace hfx::rt
