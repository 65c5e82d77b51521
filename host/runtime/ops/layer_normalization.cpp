#include "runtime/ops/broadcast.h"

namespace hfx::rt {
namespace {
template <class T>
void layer_norm(const Tensor& x, const Shape& tail, const Tensor& scale, const Tensor* bias, int64_t outer,
                int64_t inner, float eps, Tensor& y, T* mean_out, T* inv_out) {
    // Scale/B broadcast to the normalised block [x.shape[axis:]]: read them once into rows.
    std::vector<T> sc(static_cast<size_t>(inner)), bi(static_cast<size_t>(inner), T(0));
    auto fill = [&](const Tensor& t, std::vector<T>& dst) {
        const T* src = t.ptr<T>();
        broadcast_loop<1>(tail, {t.shape},
                          [&](int64_t o, const std::array<int64_t, 1>& i) { dst[size_t(o)] = src[i[0]]; });
    };
    const T* px = x.ptr<T>();
    T* py = y.ptr<T>();
    fill(scale, sc);
    if (bias) fill(*bias, bi);
    for (int64_t o = 0; o < outer; ++o) {
        const T* r = px + o * inner;
        double mean = 0, var = 0;
        for (int64_t i = 0; i < inner; ++i) mean += r[i];
        mean /= double(inner);
        for (int64_t i = 0; i < inner; ++i) var += (r[i] - mean) * (r[i] - mean);
        var /= double(inner);
        double inv = 1.0 / std::sqrt(var + double(eps));
        for (int64_t i = 0; i < inner; ++i) py[o * inner + i] = T((r[i] - mean) * inv) * sc[size_t(i)] + bi[size_t(i)];
        if (mean_out) mean_out[o] = T(mean);
        if (inv_out) inv_out[o] = T(inv);
    }
}
}  // namespace

// Y = (X - mean) / sqrt(var + eps) * Scale + B over the dimensions from `axis` on.
void op_layer_normalization(KernelContext& ctx) {
    const Tensor& x0 = ctx.in(0);
    Tensor x = to_compute(x0), scale = to_compute(ctx.in(1));
    Tensor bias;
    if (ctx.has_input(2)) bias = to_compute(ctx.in(2));
    int64_t axis = norm_axis(ctx, ctx.node.attr_i("axis", -1), x.rank());
    float eps = ctx.node.attr_f("epsilon", 1e-5f);
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= x.shape[size_t(d)];
    for (int64_t d = axis; d < x.rank(); ++d) inner *= x.shape[size_t(d)];
    Shape tail(x.shape.begin() + axis, x.shape.end());
    // Scale and B broadcast *to* the normalised shape (one way: a Scale of higher rank is an error).
    for (const Tensor* t : {&scale, bias.defined() ? &bias : nullptr})
        if (t && broadcast_shape(ctx, {t->shape, tail}) != tail)
            ctx.fail("Scale and B must broadcast to X's normalised shape ", shape_str(tail), ", got ",
                     shape_str(t->shape));
    if (scale.dtype != x.dtype || (bias.defined() && bias.dtype != x.dtype))
        ctx.fail("Scale and B must have X's dtype");
    Shape stat_shape = x.shape;
    for (int64_t d = axis; d < x.rank(); ++d) stat_shape[size_t(d)] = 1;
    Tensor y = Tensor::empty(x.dtype, x.shape);
    Tensor mean = Tensor::empty(x.dtype, stat_shape), inv = Tensor::empty(x.dtype, stat_shape);
    dispatch_float(ctx, x.dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        layer_norm<T>(x, tail, scale, bias.defined() ? &bias : nullptr, outer, inner, eps, y, mean.ptr<T>(),
                      inv.ptr<T>());
    });
    ctx.outputs[0] = from_compute(std::move(y), x0.dtype);
    // Mean / InvStdDev use stash_type (float32 by default).
    if (ctx.outputs.size() > 1) ctx.outputs[1] = cast_tensor(ctx, mean, DType::f32);
    if (ctx.outputs.size() > 2) ctx.outputs[2] = cast_tensor(ctx, inv, DType::f32);
}
}  // namespace hfx::rt
