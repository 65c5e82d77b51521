#include "runtime/ops/unary.h"

namespace hfx::rt {
void op_sign(KernelContext& ctx) {
    unary_numeric(ctx, [](auto x) -> decltype(x) {
        return x > 0 ? decltype(x)(1) : x < 0 ? decltype(x)(-1) : decltype(x)(0);
    });
}
}  // namespace hfx::rt
