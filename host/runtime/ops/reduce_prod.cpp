#include "runtime/ops/reduce.h"

namespace hfx::rt {
void op_reduce_prod(KernelContext& ctx) {
    reduce_op(
        ctx, 18, true,
        [](auto tag) {
            using T = typename decltype(tag)::type;
            return std::conditional_t<std::is_floating_point_v<T>, double, T>(1);
        },
        [](auto& a, auto x) { a *= x; }, [](auto a, int64_t) { return a; });
}
}  // namespace hfx::rt
