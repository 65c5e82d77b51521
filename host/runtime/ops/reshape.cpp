#include "runtime/ops/common.h"

namespace hfx::rt {
// 0 copies the input dimension (unless allowzero, opset 14); -1 is inferred.
void op_reshape(KernelContext& ctx) {
    const Tensor& x = ctx.in(0);
    std::vector<int64_t> s = ctx.opset < 5 ? ctx.node.attr_ints("shape") : int_values(ctx, ctx.in(1));
    bool allowzero = ctx.node.attr_i("allowzero", 0) != 0;
    int64_t known = 1, infer = -1;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == 0 && !allowzero) {
            if (i >= x.shape.size())
                ctx.fail("shape ", shape_str(s), ": 0 at axis ", std::to_string(i), " beyond input rank");
            s[i] = x.shape[i];
        }
        if (s[i] == -1) {
            if (infer >= 0) ctx.fail("shape ", shape_str(s), " has more than one -1");
            infer = int64_t(i);
        } else if (s[i] < 0) {
            ctx.fail("invalid shape ", shape_str(s));
        } else {
            known *= s[i];
        }
    }
    if (infer >= 0) {
        if (known == 0 || x.numel() % known) ctx.fail("cannot reshape ", shape_str(x.shape), " to ", shape_str(s));
        s[size_t(infer)] = x.numel() / known;
    }
    if (shape_numel(s) != x.numel()) ctx.fail("cannot reshape ", shape_str(x.shape), " to ", shape_str(s));
    ctx.outputs[0] = x.reshaped(s);
}
}  // namespace hfx::rt
