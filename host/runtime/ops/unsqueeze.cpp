#include "runtime/ops/common.h"

#include <algorithm>

namespace hfx::rt {
// axes: attribute before opset 13, input from 13. Axes index the output.
void op_unsqueeze(KernelContext& ctx) {
    const Tensor& x = ctx.in(0);
    std::vector<int64_t> axes = axes_arg(ctx, 13, 1);
    int64_t out_rank = x.rank() + int64_t(axes.size());
    std::vector<bool> inserted(size_t(out_rank), false);
    for (int64_t a : axes) {
        int64_t n = norm_axis(ctx, a, out_rank);
        if (inserted[size_t(n)]) ctx.fail("axis ", std::to_string(a), " repeated");
        inserted[size_t(n)] = true;
    }
    Shape s;
    size_t k = 0;
    for (int64_t d = 0; d < out_rank; ++d) s.push_back(inserted[size_t(d)] ? 1 : x.shape[k++]);
    ctx.outputs[0] = x.reshaped(s);
}
}  // namespace hfx::rt
