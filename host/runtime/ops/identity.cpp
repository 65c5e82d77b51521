#include "runtime/ops/common.h"

namespace hfx::rt {
// Tensors are immutable once produced, so Identity shares the input's buffer.
void op_identity(KernelContext& ctx) { ctx.outputs[0] = ctx.in(0); }
}  // namespace hfx::rt
