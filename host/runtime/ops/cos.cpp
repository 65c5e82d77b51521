#include "runtime/ops/unary.h"

namespace hfx::rt {
void op_cos(KernelContext& ctx) {
    unary_float(ctx, [](auto x) -> decltype(x) { return std::cos(x); });
}
}  // namespace hfx::rt
