#include "runtime/ops/unary.h"

namespace hfx::rt {
// ai.onnx Gelu (opset 20, approximate = "none" | "tanh") and com.microsoft Gelu (erf form).
void op_gelu(KernelContext& ctx) {
    if (ctx.node.attr_s("approximate", "none") == "tanh") {
        unary_float(ctx, [](auto x) -> decltype(x) {
            using T = decltype(x);
            const T k = T(0.7978845608028654);  // sqrt(2 / pi)
            return T(0.5) * x * (T(1) + std::tanh(k * (x + T(0.044715) * x * x * x)));
        });
    } else {
        unary_float(ctx, [](auto x) -> decltype(x) {
            using T = decltype(x);
            return T(0.5) * x * (T(1) + std::erf(x * T(0.7071067811865476)));
        });
    }
}
}  // namespace hfx::rt
