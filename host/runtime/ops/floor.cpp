#include "runtime/ops/unary.h"

namespace hfx::rt {
void op_floor(KernelContext& ctx) {
    unary_float(ctx, [](auto x) -> decltype(x) { return std::floor(x); });
}
}  // namespace hfx::rt
