#include "runtime/ops/reduce.h"

#include <limits>

namespace hfx::rt {
void op_reduce_min(KernelContext& ctx) {
    reduce_op(
        ctx, 18, true,
        [](auto tag) {
            using T = typename decltype(tag)::type;
            if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::infinity();
            else return std::numeric_limits<T>::max();
        },
        [](auto& a, auto x) {
            if (x < a || x != x) a = x;
        },
        [](auto a, int64_t) { return a; });
}
}  // namespace hfx::rt
