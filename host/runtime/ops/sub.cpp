#include "runtime/ops/broadcast.h"

namespace hfx::rt {
void op_sub(KernelContext& ctx) {
    arith_binary(ctx, [](auto a, auto b) { return a - b; });
}
}  // namespace hfx::rt
