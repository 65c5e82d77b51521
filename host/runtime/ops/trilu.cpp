#include "runtime/ops/common.h"

#include <cstring>

namespace hfx::rt {
// Keeps the upper (j - i >= k) or lower (j - i <= k) triangle of the last two dims.
void op_trilu(KernelContext& ctx) {
    const Tensor& x = ctx.in(0);
    if (x.rank() < 2) ctx.fail("input must have rank >= 2, got ", shape_str(x.shape));
    int64_t k = ctx.has_input(1) ? int_values(ctx, ctx.in(1)).at(0) : 0;
    bool upper = ctx.node.attr_i("upper", 1) != 0;
    int64_t rows = x.shape[x.shape.size() - 2], cols = x.shape.back();
    int64_t mats = rows * cols != 0 ? x.numel() / (rows * cols) : 0;
    Tensor out = Tensor::empty(x.dtype, x.shape);  // zero-filled
    for (int64_t m = 0; m < mats; ++m)
        for (int64_t i = 0; i < rows; ++i)
            for (int64_t j = 0; j < cols; ++j)
                if (upper ? j - i >= k : j - i <= k) {
                    int64_t at = (m * rows + i) * cols + j;
                    copy_elements(x, at, out, at, 1);
                }
    ctx.outputs[0] = std::move(out);
}
}  // namespace hfx::rt
