#include "runtime/ops/strided.h"

namespace hfx::rt {
void op_transpose(KernelContext& ctx) {
    const Tensor& x = ctx.in(0);
    int64_t rank = x.rank();
    std::vector<int64_t> perm = ctx.node.attr_ints("perm");
    if (perm.empty())
        for (int64_t d = rank - 1; d >= 0; --d) perm.push_back(d);
    if (int64_t(perm.size()) != rank)
        ctx.fail("perm has ", std::to_string(perm.size()), " entries for rank ", std::to_string(rank));
    Shape xs = strides_of(x.shape), out_shape;
    std::vector<int64_t> st;
    std::vector<bool> seen(size_t(rank), false);
    for (int64_t p : perm) {
        int64_t a = norm_axis(ctx, p, rank);
        if (seen[size_t(a)]) ctx.fail("perm repeats axis ", std::to_string(p));
        seen[size_t(a)] = true;
        out_shape.push_back(x.shape[size_t(a)]);
        st.push_back(xs[size_t(a)]);
    }
    Tensor out = Tensor::empty(x.dtype, out_shape);
    strided_copy(x, 0, st, out);
    ctx.outputs[0] = std::move(out);
}
}  // namespace hfx::rt
