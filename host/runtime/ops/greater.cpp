#include "runtime/ops/broadcast.h"

namespace hfx::rt {
void op_greater(KernelContext& ctx) {
    compare_binary(ctx, [](auto a, auto b) { return a > b; });
}
}  // namespace hfx::rt
