#include "runtime/ops/broadcast.h"

namespace hfx::rt {
void op_div(KernelContext& ctx) {
    arith_binary(ctx, [](auto a, auto b) {
        using T = decltype(a);
        if constexpr (std::is_integral_v<T>) {
            // Integer division by zero (and MIN / -1) would trap: define them instead.
            if (b == 0) return T(0);
            if constexpr (std::is_signed_v<T>)
                if (b == T(-1)) return T(0 - std::make_unsigned_t<T>(a));
            return T(a / b);
        } else {
            return T(a / b);
        }
    });
}
}  // namespace hfx::rt
