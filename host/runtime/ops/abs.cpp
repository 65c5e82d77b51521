#include "runtime/ops/unary.h"

namespace hfx::rt {
void op_abs(KernelContext& ctx) {
    unary_numeric(ctx, [](auto x) -> decltype(x) { return x < 0 ? decltype(x)(-x) : x; });
}
}  // namespace hfx::rt
