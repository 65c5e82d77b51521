#include "runtime/ops/unary.h"

namespace hfx::rt {
void op_log(KernelContext& ctx) {
    unary_float(ctx, [](auto x) -> decltype(x) { return std::log(x); });
}
}  // namespace hfx::rt
