#include "runtime/ops/common.h"

namespace hfx::rt {
// If(cond): runs then_branch or else_branch; its outputs (tensors or sequences) are the node's.
void op_if(KernelContext& ctx) {
    const Tensor& c = ctx.in(0);
    if (c.numel() != 1 || c.dtype != DType::boolean)
        ctx.fail("cond must be one bool, got ", dtype_name(c.dtype), " ", shape_str(c.shape));
    Subgraph& branch = ctx.subgraph(c.ptr<uint8_t>()[0] ? "then_branch" : "else_branch");
    std::vector<Value> out = branch.run({}, ctx.outer);
    if (out.size() != ctx.outputs.size())
        ctx.fail("the branch has ", std::to_string(out.size()), " outputs, the node ",
                 std::to_string(ctx.outputs.size()));
    for (size_t i = 0; i < out.size(); ++i) ctx.set_output(i, std::move(out[i]));
}
}  // namespace hfx::rt
