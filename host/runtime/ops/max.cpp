#include "runtime/ops/variadic.h"

namespace hfx::rt {
void op_max(KernelContext& ctx) {
    variadic_fold(ctx, [](auto a, auto b) {
        if constexpr (std::is_floating_point_v<decltype(a)>)
            if (std::isnan(a)) return a;
        return a < b ? b : a;
    });
}
}  // namespace hfx::rt
