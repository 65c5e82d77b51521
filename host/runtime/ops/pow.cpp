#include "runtime/ops/broadcast.h"

namespace hfx::rt {
// Output has the base's dtype; the exponent may be of another numeric type.
void op_pow(KernelContext& ctx) {
    const Tensor& a0 = ctx.in(0);
    Tensor a = to_compute(a0);
    const Tensor& e0 = ctx.in(1);
    Tensor out;
    auto ipow = [](auto base, int64_t e) {
        using T = decltype(base);
        if (e < 0) return T(base == 1 ? 1 : 0);
        T r = 1;
        for (; e; e >>= 1, base = T(base * base))
            if (e & 1) r = T(r * base);
        return r;
    };
    dispatch_numeric(ctx, a.dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        if constexpr (std::is_floating_point_v<T>) {
            Tensor e = cast_tensor(ctx, e0, a.dtype);
            if (e.numel() == 1 && e.ptr<T>()[0] == T(2)) {  // x^2 of decomposed LayerNorm
                out = binary_map<T, T, T>(ctx, a, e, a.dtype, [](T x, T) { return x * x; });
            } else {
                out = binary_map<T, T, T>(ctx, a, e, a.dtype, [](T x, T y) { return T(std::pow(x, y)); });
            }
        } else {
            Tensor e = cast_tensor(ctx, e0, DType::f64);
            out = binary_map<T, double, T>(ctx, a, e, a.dtype, [&](T x, double y) {
                return y == std::floor(y) ? ipow(x, int64_t(y)) : T(std::pow(double(x), y));
            });
        }
    });
    ctx.outputs[0] = from_compute(std::move(out), a0.dtype);
}
}  // namespace hfx::rt
