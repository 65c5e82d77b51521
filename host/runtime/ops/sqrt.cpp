#include "runtime/ops/unary.h"

namespace hfx::rt {
void op_sqrt(KernelContext& ctx) {
    unary_float(ctx, [](auto x) -> decltype(x) { return std::sqrt(x); });
}
}  // namespace hfx::rt
