#include "runtime/ops/unary.h"

namespace hfx::rt {
void op_exp(KernelContext& ctx) {
    unary_float(ctx, [](auto x) -> decltype(x) { return std::exp(x); });
}
}  // namespace hfx::rt
