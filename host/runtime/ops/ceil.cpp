#include "runtime/ops/unary.h"

namespace hfx::rt {
void op_ceil(KernelContext& ctx) {
    unary_float(ctx, [](auto x) -> decltype(x) { return std::ceil(x); });
}
}  // namespace hfx::rt
