#include "runtime/ops/reduce.h"

namespace hfx::rt {
// axes: attribute before opset 13, input from 13.
void op_reduce_sum(KernelContext& ctx) {
    reduce_op(
        ctx, 13, true,
        [](auto tag) {
            using T = typename decltype(tag)::type;
            return std::conditional_t<std::is_floating_point_v<T>, double, T>(0);
        },
        [](auto& a, auto x) { a += x; }, [](auto a, int64_t) { return a; });
}
}  // namespace hfx::rt
