#include "runtime/ops/broadcast.h"

#include <limits>

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
        // Products in uint64_t: they wrap as numpy's and ONNX Runtime's do, where int64 (or the int
        // that int16 promotes to) overflowing would be undefined behaviour.
        for (; e; e >>= 1, base = T(uint64_t(base) * uint64_t(base)))
            if (e & 1) r = T(uint64_t(r) * uint64_t(base));
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
            // Saturating: a double out of T's range (0^-0.5 = inf, NaN, an exponent of 1e30) converted
            // as is would be undefined behaviour (found by fuzz/onnx_fuzz).
            auto to_int = [](double v, auto zero) {
                using I = decltype(zero);
                if (std::isnan(v)) return I(0);
                if (v <= double(std::numeric_limits<I>::lowest())) return std::numeric_limits<I>::lowest();
                if (v >= double(std::numeric_limits<I>::max())) return std::numeric_limits<I>::max();
                return I(v);
            };
            out = binary_map<T, double, T>(ctx, a, e, a.dtype, [&](T x, double y) {
                return y == std::floor(y) ? ipow(x, to_int(y, int64_t(0))) : to_int(std::pow(double(x), y), T(0));
            });
        }
    });
    ctx.outputs[0] = from_compute(std::move(out), a0.dtype);
}
}  // namespace hfx::rt
