#include "runtime/ops/reduce.h"

namespace hfx::rt {
// axes: attribute before opset 18, input from 18.
void op_reduce_mean(KernelContext& ctx) {
    reduce_op(
        ctx, 18, true,
        [](auto tag) {
            using T = typename decltype(tag)::type;
            return std::conditional_t<std::is_floating_point_v<T>, double, T>(0);
        },
        [](auto& a, auto x) { a += x; }, [](auto a, int64_t n) { return n ? a / decltype(a)(n) : a; });
}
}  // namespace hfx::rt
