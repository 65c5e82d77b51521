#include "runtime/ops/reduce.h"

namespace hfx::rt {

ReducePlan reduce_plan(const KernelContext& ctx, const Shape& in, int axes_input_since) {
    ReducePlan p;
    int64_t rank = int64_t(in.size());
    std::vector<int64_t> axes = axes_arg(ctx, axes_input_since, 1);
    bool keepdims = ctx.node.attr_i("keepdims", 1) != 0;
    if (axes.empty() && ctx.node.attr_i("noop_with_empty_axes", 0)) {
        p.identity = true;
        return p;
    }
    p.reduced.assign(size_t(rank), axes.empty());
    for (int64_t a : axes) p.reduced[size_t(norm_axis(ctx, a, rank))] = true;
    p.kept = in;
    p.count = 1;
    for (size_t d = 0; d < in.size(); ++d) {
        if (!p.reduced[d]) {
            p.out.push_back(in[d]);
            continue;
        }
        p.count *= in[d];
        p.kept[d] = 1;
        if (keepdims) p.out.push_back(1);
    }
    return p;
}

}  // namespace hfx::rt
