#include "runtime/ops/unary.h"

namespace hfx::rt {
void op_reciprocal(KernelContext& ctx) {
    unary_float(ctx, [](auto x) -> decltype(x) { return 1 / x; });
}
}  // namespace hfx::rt
