#include "runtime/ops/common.h"

#include <algorithm>

namespace hfx::rt {
// Opset 15 adds start/end (clamped like Python slicing).
void op_shape(KernelContext& ctx) {
    const Tensor& x = ctx.in(0);
    int64_t r = x.rank();
    int64_t start = ctx.node.attr_i("start", 0), end = ctx.node.attr_i("end", r);
    if (start < 0) start += r;
    if (end < 0) end += r;
    start = std::clamp<int64_t>(start, 0, r);
    end = std::clamp<int64_t>(end, 0, r);
    std::vector<int64_t> dims;
    for (int64_t i = start; i < end; ++i) dims.push_back(x.shape[size_t(i)]);
    ctx.outputs[0] = Tensor::from(DType::i64, {int64_t(dims.size())}, dims);
}
}  // namespace hfx::rt
