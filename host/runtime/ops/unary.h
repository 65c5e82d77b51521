// Elementwise unary ops: the op file supplies the math as a generic lambda.
#pragma once
#include "runtime/ops/common.h"

namespace hfx::rt {

template <class T, class F>
Tensor unary_map(const Tensor& x, DType out_dtype, F&& f) {
    Tensor out = Tensor::empty(out_dtype, x.shape);
    const T* in = x.ptr<T>();
    auto* o = out.ptr<std::invoke_result_t<F, T>>();
    int64_t n = x.numel();
    for (int64_t i = 0; i < n; ++i) o[i] = f(in[i]);
    return out;
}

// Float math (f32, f64; f16/bf16 computed in f32): f(auto x) -> same type.
template <class F>
void unary_float(KernelContext& ctx, F&& f) {
    const Tensor& x0 = ctx.in(0);
    Tensor x = to_compute(x0);
    Tensor out;
    dispatch_float(ctx, x.dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        out = unary_map<T>(x, x.dtype, [&](T v) { return T(f(v)); });
    });
    ctx.outputs[0] = from_compute(std::move(out), x0.dtype);
}

// Any numeric dtype (ints too): f(auto x) -> same type.
template <class F>
void unary_numeric(KernelContext& ctx, F&& f) {
    const Tensor& x0 = ctx.in(0);
    Tensor x = to_compute(x0);
    Tensor out;
    dispatch_numeric(ctx, x.dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        out = unary_map<T>(x, x.dtype, [&](T v) { return T(f(v)); });
    });
    ctx.outputs[0] = from_compute(std::move(out), x0.dtype);
}

}  // namespace hfx::rt
