#include "runtime/ops/common.h"

namespace hfx::rt {
// axes: attribute before opset 13, optional input from 13; none = every 1-dim.
void op_squeeze(KernelContext& ctx) {
    const Tensor& x = ctx.in(0);
    std::vector<int64_t> axes = axes_arg(ctx, 13, 1);
    std::vector<bool> drop(size_t(x.rank()), axes.empty());
    if (axes.empty()) {
        for (size_t d = 0; d < x.shape.size(); ++d) drop[d] = x.shape[d] == 1;
    }
    for (int64_t a : axes) {
        int64_t n = norm_axis(ctx, a, x.rank());
        if (x.shape[size_t(n)] != 1)
            ctx.fail("cannot squeeze axis ", std::to_string(a), " of size ", std::to_string(x.shape[size_t(n)]));
        drop[size_t(n)] = true;
    }
    Shape s;
    for (size_t d = 0; d < x.shape.size(); ++d)
        if (!drop[d]) s.push_back(x.shape[d]);
    ctx.outputs[0] = x.reshaped(s);
}
}  // namespace hfx::rt
