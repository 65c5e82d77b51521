#include "runtime/ops/strided.h"

#include <algorithm>

namespace hfx::rt {
// starts/ends/axes are attributes before opset 10, inputs (with steps) from 10.
void op_slice(KernelContext& ctx) {
    const Tensor& x = ctx.in(0);
    int64_t rank = x.rank();
    std::vector<int64_t> starts, ends, axes, steps;
    if (ctx.opset < 10) {
        starts = ctx.node.attr_ints("starts");
        ends = ctx.node.attr_ints("ends");
        axes = ctx.node.attr_ints("axes");
    } else {
        starts = int_values(ctx, ctx.in(1));
        ends = int_values(ctx, ctx.in(2));
        if (ctx.has_input(3)) axes = int_values(ctx, ctx.in(3));
        if (ctx.has_input(4)) steps = int_values(ctx, ctx.in(4));
    }
    if (axes.empty())
        for (size_t i = 0; i < starts.size(); ++i) axes.push_back(int64_t(i));
    if (steps.empty()) steps.assign(starts.size(), 1);
    if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
        ctx.fail("starts, ends, axes and steps differ in length");
    Shape out_shape = x.shape;
    Shape xs = strides_of(x.shape);
    std::vector<int64_t> st(xs.begin(), xs.end());
    int64_t base = 0;
    for (size_t i = 0; i < starts.size(); ++i) {
        int64_t a = norm_axis(ctx, axes[i], rank), dim = x.shape[size_t(a)], step = steps[i];
        if (step == 0) ctx.fail("step is 0");
        int64_t s = starts[i], e = ends[i];
        if (s < 0) s += dim;
        if (e < 0) e += dim;
        int64_t n;
        if (step > 0) {
            s = std::clamp<int64_t>(s, 0, dim);
            e = std::clamp<int64_t>(e, 0, dim);
            n = e > s ? (e - s + step - 1) / step : 0;
        } else {
            s = std::clamp<int64_t>(s, 0, dim - 1);
            e = std::clamp<int64_t>(e, -1, dim - 1);
            n = s > e ? (s - e + (-step) - 1) / (-step) : 0;
        }
        out_shape[size_t(a)] = n;
        if (n > 0) base += s * xs[size_t(a)];
        st[size_t(a)] = xs[size_t(a)] * step;
    }
    Tensor out = Tensor::empty(x.dtype, out_shape);
    strided_copy(x, base, st, out);
    ctx.outputs[0] = std::move(out);
}
}  // namespace hfx::rt
