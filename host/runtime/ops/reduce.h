// Reductions over a set of axes (ReduceSum/Mean/Max/Min/Prod/L2, ArgMax):
// the plan resolves axes (attribute or input by opset), keepdims and
// noop_with_empty_axes; reduce_op runs init/step/finish per output element.
#pragma once
#include "runtime/ops/common.h"

namespace hfx::rt {

struct ReducePlan {
    Shape kept;  // input shape with reduced axes set to 1
    Shape out;   // final output shape (keepdims applied)
    std::vector<bool> reduced;
    int64_t count = 0;      // input elements per output element
    bool identity = false;  // noop_with_empty_axes and no axes: output = input
};

ReducePlan reduce_plan(const KernelContext& ctx, const Shape& in, int axes_input_since);

// For every input element (row-major), calls step(acc[out_offset], x).
template <class T, class Acc, class Step>
void reduce_accumulate(const Tensor& in, const ReducePlan& p, std::vector<Acc>& acc, Step&& step) {
    const T* x = in.ptr<T>();
    int64_t n = in.numel();
    if (n == 0) return;
    size_t rank = in.shape.size();
    // Trailing reduced block: the common case (last-axis mean/sum) is a plain 2-D loop.
    size_t first = rank;
    while (first > 0 && p.reduced[first - 1]) --first;
    bool trailing = true;
    for (size_t d = 0; d < first; ++d) trailing = trailing && !p.reduced[d];
    if (trailing) {
        int64_t inner = p.count;
        for (int64_t i = 0; i < n; ++i) step(acc[size_t(i / inner)], x[i]);
        return;
    }
    Shape ost = strides_of(p.kept);
    for (size_t d = 0; d < rank; ++d)
        if (p.reduced[d]) ost[d] = 0;
    std::vector<int64_t> idx(rank, 0);
    int64_t o = 0;
    for (int64_t i = 0; i < n; ++i) {
        step(acc[size_t(o)], x[i]);
        for (int64_t d = int64_t(rank) - 1; d >= 0; --d) {
            size_t u = size_t(d);
            ++idx[u];
            o += ost[u];
            if (idx[u] < in.shape[u]) break;
            o -= ost[u] * idx[u];
            idx[u] = 0;
        }
    }
}

// init(Tag<T>) -> Acc; step(Acc&, T); finish(Acc, count) -> T. Floats accumulate
// as chosen by init (double for sums); f16 runs in f32.
template <class Init, class Step, class Finish>
void reduce_op(KernelContext& ctx, int axes_input_since, bool allow_ints, Init&& init, Step&& step, Finish&& finish) {
    const Tensor& x0 = ctx.in(0);
    ReducePlan p = reduce_plan(ctx, x0.shape, axes_input_since);
    if (p.identity) {
        ctx.outputs[0] = x0;
        return;
    }
    Tensor x = to_compute(x0);
    Tensor out = Tensor::empty(x.dtype, p.out);
    auto body = [&](auto tag) {
        using T = typename decltype(tag)::type;
        auto a0 = init(tag);
        std::vector<decltype(a0)> acc(size_t(out.numel()), a0);
        reduce_accumulate<T>(x, p, acc, step);
        T* o = out.ptr<T>();
        for (size_t i = 0; i < acc.size(); ++i) o[i] = T(finish(acc[i], p.count));
    };
    if (allow_ints) dispatch_numeric(ctx, x.dtype, body);
    else dispatch_float(ctx, x.dtype, body);
    ctx.outputs[0] = from_compute(std::move(out), x0.dtype);
}

}  // namespace hfx::rt
