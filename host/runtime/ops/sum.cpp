#include "runtime/ops/variadic.h"

namespace hfx::rt {
void op_sum(KernelContext& ctx) {
    variadic_fold(ctx, [](auto a, auto b) { return a + b; });
}
}  // namespace hfx::rt
