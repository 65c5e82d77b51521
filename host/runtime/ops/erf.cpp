#include "runtime/ops/unary.h"

namespace hfx::rt {
void op_erf(KernelContext& ctx) {
    unary_float(ctx, [](auto x) -> decltype(x) { return std::erf(x); });
}
}  // namespace hfx::rt
