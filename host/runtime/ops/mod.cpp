#include "runtime/ops/broadcast.h"

namespace hfx::rt {
// fmod = 1: C fmod (sign of the dividend); fmod = 0: Python % (sign of the divisor).
void op_mod(KernelContext& ctx) {
    bool c_fmod = ctx.node.attr_i("fmod", 0) != 0;
    arith_binary(ctx, [c_fmod](auto a, auto b) {
        using T = decltype(a);
        if constexpr (std::is_integral_v<T>) {
            if (b == 0) return T(0);
            if constexpr (std::is_signed_v<T>) {
                if (b == T(-1)) return T(0);
                T r = T(a % b);
                if (!c_fmod && r != 0 && ((r < 0) != (b < 0))) r = T(r + b);
                return r;
            } else {
                return T(a % b);
            }
        } else {
            T r = std::fmod(a, b);
            if (!c_fmod && r != 0 && ((r < 0) != (b < 0))) r += b;
            return r;
        }
    });
}
}  // namespace hfx::rt
