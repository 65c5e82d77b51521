#include "runtime/ops/common.h"

namespace hfx::rt {
namespace {
// Index of the largest (or smallest) element along `axis`; ties pick the first
// index unless select_last_index. Output is int64.
void arg_reduce(KernelContext& ctx, bool largest) {
    const Tensor& x0 = ctx.in(0);
    Tensor x = to_compute(x0);
    int64_t axis = norm_axis(ctx, ctx.node.attr_i("axis", 0), x.rank());
    bool keepdims = ctx.node.attr_i("keepdims", 1) != 0, last = ctx.node.attr_i("select_last_index", 0) != 0;
    int64_t outer = 1, dim = x.shape[size_t(axis)], inner = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= x.shape[size_t(d)];
    for (int64_t d = axis + 1; d < x.rank(); ++d) inner *= x.shape[size_t(d)];
    if (dim == 0) ctx.fail("cannot take the arg of an empty axis");
    Shape s = x.shape;
    if (keepdims) s[size_t(axis)] = 1;
    else s.erase(s.begin() + axis);
    Tensor out = Tensor::empty(DType::i64, s);
    int64_t* po = out.ptr<int64_t>();
    dispatch_numeric(ctx, x.dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        const T* px = x.ptr<T>();
        for (int64_t o = 0; o < outer; ++o)
            for (int64_t i = 0; i < inner; ++i) {
                const T* p = px + o * dim * inner + i;
                int64_t best = 0;
                for (int64_t j = 1; j < dim; ++j) {
                    T v = p[j * inner], b = p[best * inner];
                    bool better = largest ? (v > b || (last && v == b)) : (v < b || (last && v == b));
                    if (better) best = j;
                }
                po[o * inner + i] = best;
            }
    });
    ctx.outputs[0] = std::move(out);
}
}  // namespace

void op_arg_max(KernelContext& ctx) { arg_reduce(ctx, true); }
void op_arg_min(KernelContext& ctx) { arg_reduce(ctx, false); }
}  // namespace hfx::rt
