#include "runtime/ops/unary.h"

namespace hfx::rt {
void op_relu(KernelContext& ctx) {
    unary_numeric(ctx, [](auto x) -> decltype(x) { return x > 0 ? x : decltype(x)(0); });
}
}  // namespace hfx::rt
