#include "runtime/ops/unary.h"

namespace hfx::rt {
void op_tanh(KernelContext& ctx) {
    unary_float(ctx, [](auto x) -> decltype(x) { return std::tanh(x); });
}
}  // namespace hfx::rt
