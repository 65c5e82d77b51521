#include "runtime/ops/common.h"

namespace hfx::rt {
void op_flatten(KernelContext& ctx) {
    const Tensor& x = ctx.in(0);
    int64_t axis = ctx.node.attr_i("axis", 1);
    if (axis < 0) axis += x.rank();
    if (axis < 0 || axis > x.rank()) ctx.fail("axis ", std::to_string(axis), " out of range");
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= x.shape[size_t(d)];
    ctx.outputs[0] = x.reshaped({outer, outer ? x.numel() / outer : 0});
    if (outer == 0) {
        int64_t inner = 1;
        for (int64_t d = axis; d < x.rank(); ++d) inner *= x.shape[size_t(d)];
        ctx.outputs[0] = x.reshaped({0, inner});
    }
}
}  // namespace hfx::rt
