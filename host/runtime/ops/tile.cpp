#include "runtime/ops/strided.h"

namespace hfx::rt {
// Viewed as [r0, d0, r1, d1, ...] with stride 0 on the repeat axes.
void op_tile(KernelContext& ctx) {
    const Tensor& x = ctx.in(0);
    std::vector<int64_t> reps = int_values(ctx, ctx.in(1));
    if (int64_t(reps.size()) != x.rank())
        ctx.fail("repeats has ", std::to_string(reps.size()), " entries for rank ", std::to_string(x.rank()));
    Shape xs = strides_of(x.shape), view_shape, out_shape;
    std::vector<int64_t> st;
    for (size_t d = 0; d < reps.size(); ++d) {
        if (reps[d] < 0) ctx.fail("negative repeat");
        view_shape.insert(view_shape.end(), {reps[d], x.shape[d]});
        st.insert(st.end(), {0, xs[d]});
        out_shape.push_back(reps[d] * x.shape[d]);
    }
    Tensor out = Tensor::empty(x.dtype, view_shape);
    strided_copy(x, 0, st, out);
    ctx.outputs[0] = out.reshaped(out_shape);
}
}  // namespace hfx::rt
