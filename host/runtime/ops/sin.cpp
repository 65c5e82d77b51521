#include "runtime/ops/unary.h"

namespace hfx::rt {
void op_sin(KernelContext& ctx) {
    unary_float(ctx, [](auto x) -> decltype(x) { return std::sin(x); });
}
}  // namespace hfx::rt
