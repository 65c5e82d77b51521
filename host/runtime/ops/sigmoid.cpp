#include "runtime/ops/unary.h"

namespace hfx::rt {
void op_sigmoid(KernelContext& ctx) {
    unary_float(
        ctx, [](auto x) -> decltype(x) { return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x)); });
}
}  // namespace hfx::rt
