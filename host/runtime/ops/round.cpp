#include "runtime/ops/unary.h"

namespace hfx::rt {
void op_round(KernelContext& ctx) {
    unary_float(ctx, [](auto x) -> decltype(x) { return std::nearbyint(x); });
}
}  // namespace hfx::rt
