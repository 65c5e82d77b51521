#include "runtime/ops/unary.h"

namespace hfx::rt {
void op_neg(KernelContext& ctx) {
    unary_numeric(ctx, [](auto x) -> decltype(x) { return -x; });
}
}  // namespace hfx::rt
