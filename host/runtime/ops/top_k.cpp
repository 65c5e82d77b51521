#include "runtime/ops/common.h"

#include <algorithm>
#include <numeric>

namespace hfx::rt {
// Values and int64 indices of the k largest (or smallest) along `axis`; k is an
// attribute before opset 10, an input from 10. Ties keep the lower index first.
void op_top_k(KernelContext& ctx) {
    const Tensor& x0 = ctx.in(0);
    Tensor x = to_compute(x0);
    int64_t axis = norm_axis(ctx, ctx.node.attr_i("axis", -1), x.rank());
    int64_t k = ctx.opset < 10 ? ctx.node.attr_i("k", 0) : int_values(ctx, ctx.in(1)).at(0);
    bool largest = ctx.node.attr_i("largest", 1) != 0;
    int64_t outer = 1, dim = x.shape[size_t(axis)], inner = 1;
    if (k < 0 || k > dim) ctx.fail("k = ", std::to_string(k), " out of range for axis size ", std::to_string(dim));
    for (int64_t d = 0; d < axis; ++d) outer *= x.shape[size_t(d)];
    for (int64_t d = axis + 1; d < x.rank(); ++d) inner *= x.shape[size_t(d)];
    Shape s = x.shape;
    s[size_t(axis)] = k;
    Tensor values = Tensor::empty(x.dtype, s), indices = Tensor::empty(DType::i64, s);
    dispatch_numeric(ctx, x.dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        const T* px = x.ptr<T>();
        T* pv = values.ptr<T>();
        int64_t* pi = indices.ptr<int64_t>();
        std::vector<int64_t> order(static_cast<size_t>(dim));
        for (int64_t o = 0; o < outer; ++o)
            for (int64_t i = 0; i < inner; ++i) {
                const T* p = px + o * dim * inner + i;
                std::iota(order.begin(), order.end(), 0);
                auto cmp = [&](int64_t a, int64_t b) {
                    T va = p[a * inner], vb = p[b * inner];
                    if (va != vb) return largest ? va > vb : va < vb;
                    return a < b;
                };
                std::partial_sort(order.begin(), order.begin() + k, order.end(), cmp);
                for (int64_t j = 0; j < k; ++j) {
                    int64_t at = (o * k + j) * inner + i;
                    pv[at] = p[order[size_t(j)] * inner];
                    pi[at] = order[size_t(j)];
                }
            }
    });
    ctx.outputs[0] = from_compute(std::move(values), x0.dtype);
    if (ctx.outputs.size() > 1) ctx.outputs[1] = std::move(indices);
}
}  // namespace hfx::rt
