// Numpy-style broadcasting: the output shape of several inputs and a loop
// that hands each output element the matching element offset of every input.
#pragma once
#include <array>

#include "runtime/ops/common.h"

namespace hfx::rt {

// Broadcast shape of all `shapes`; fails naming the node when incompatible.
Shape broadcast_shape(const KernelContext& ctx, const std::vector<Shape>& shapes);

// Element strides of `in` read as `out` (0 on broadcast dimensions).
std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out);

// Calls f(out_index, offsets) for every element of `out`, offsets[k] being the
// element index in input k. The innermost dimension runs as a tight loop.
template <size_t N, class F>
void broadcast_loop(const Shape& out, const std::array<Shape, N>& in_shapes, F&& f) {
    int64_t total = shape_numel(out);
    if (total == 0) return;
    std::array<int64_t, N> off{};
    size_t rank = out.size();
    if (rank == 0) return f(int64_t(0), off);
    std::array<std::vector<int64_t>, N> st;
    for (size_t k = 0; k < N; ++k) st[k] = broadcast_strides(in_shapes[k], out);
    int64_t inner = out[rank - 1];
    std::array<int64_t, N> is{}, base{};
    for (size_t k = 0; k < N; ++k) is[k] = st[k][rank - 1];
    std::vector<int64_t> idx(rank, 0);
    for (int64_t o = 0; o < total; o += inner) {
        for (int64_t j = 0; j < inner; ++j) {
            for (size_t k = 0; k < N; ++k) off[k] = base[k] + j * is[k];
            f(o + j, off);
        }
        for (int64_t d = int64_t(rank) - 2; d >= 0; --d) {  // odometer over the outer dims
            size_t u = size_t(d);
            ++idx[u];
            for (size_t k = 0; k < N; ++k) base[k] += st[k][u];
            if (idx[u] < out[u]) break;
            for (size_t k = 0; k < N; ++k) base[k] -= st[k][u] * idx[u];
            idx[u] = 0;
        }
    }
}

// out[i] = f(a[i], b[i]) with broadcasting; `out` is allocated here.
template <class A, class B, class R, class F>
Tensor binary_map(const KernelContext& ctx, const Tensor& a, const Tensor& b, DType out_dtype, F&& f) {
    Shape shape = a.shape == b.shape ? a.shape : broadcast_shape(ctx, {a.shape, b.shape});
    Tensor out = Tensor::empty(out_dtype, shape);
    const A* pa = a.ptr<A>();
    const B* pb = b.ptr<B>();
    R* po = out.ptr<R>();
    int64_t n = out.numel();
    if (a.shape == b.shape) {
        for (int64_t i = 0; i < n; ++i) po[i] = R(f(pa[i], pb[i]));
    } else if (b.numel() == 1 && a.numel() == n) {
        B v = pb[0];
        for (int64_t i = 0; i < n; ++i) po[i] = R(f(pa[i], v));
    } else if (a.numel() == 1 && b.numel() == n) {
        A v = pa[0];
        for (int64_t i = 0; i < n; ++i) po[i] = R(f(v, pb[i]));
    } else {
        broadcast_loop<2>(shape, {a.shape, b.shape},
                          [&](int64_t o, const std::array<int64_t, 2>& k) { po[o] = R(f(pa[k[0]], pb[k[1]])); });
    }
    return out;
}

// Arithmetic binary op over all numeric dtypes (f16/bf16 computed in f32):
// output dtype = input dtype. f is a generic lambda (auto x, auto y).
template <class F>
void arith_binary(KernelContext& ctx, F&& f) {
    const Tensor& a0 = ctx.in(0);
    const Tensor& b0 = ctx.in(1);
    if (a0.dtype != b0.dtype) ctx.fail("input dtypes differ: ", dtype_name(a0.dtype), " and ", dtype_name(b0.dtype));
    Tensor a = to_compute(a0), b = to_compute(b0);
    Tensor out;
    dispatch_numeric(ctx, a.dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        out = binary_map<T, T, T>(ctx, a, b, a.dtype, f);
    });
    ctx.outputs[0] = from_compute(std::move(out), a0.dtype);
}

// Comparison op: bool output; f(x, y) -> bool.
template <class F>
void compare_binary(KernelContext& ctx, F&& f) {
    const Tensor& a0 = ctx.in(0);
    const Tensor& b0 = ctx.in(1);
    if (a0.dtype != b0.dtype) ctx.fail("input dtypes differ: ", dtype_name(a0.dtype), " and ", dtype_name(b0.dtype));
    Tensor a = to_compute(a0), b = to_compute(b0);
    dispatch_all(ctx, a.dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        ctx.outputs[0] = binary_map<T, T, bool>(ctx, a, b, DType::boolean, f);
    });
}

}  // namespace hfx::rt
