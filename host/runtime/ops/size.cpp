#include "runtime/ops/common.h"

namespace hfx::rt {
void op_size(KernelContext& ctx) {
    ctx.outputs[0] = Tensor::from(DType::i64, {}, std::vector<int64_t>{ctx.in(0).numel()});
}
}  // namespace hfx::rt
