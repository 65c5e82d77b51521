#include "runtime/ops/common.h"

namespace hfx::rt {
// Tensors and sequences are immutable once produced, so Identity shares the input.
void op_identity(KernelContext& ctx) { ctx.set_output(0, ctx.value(0)); }
}  // namespace hfx::rt
