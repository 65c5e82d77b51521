// Linear + Add(its output, 1-D float constant of size n) -> Linear that starts its
// product from the bias, when the Add is the product's only reader and the product is
// no graph output.
#include "runtime/fuse/fuse.h"
#include "runtime/fuse/view.h"

namespace hfx::rt {

void fuse_linear_bias(Plan& plan) {
    fuse::View view(plan);
    std::vector<bool> drop(plan.steps.size(), false);
    for (size_t i = 0; i < plan.steps.size(); ++i) {
        const Step& add = plan.steps[i];
        if (!view.op_is(int(i), "Add") || add.in.size() != 2 || add.out.size() != 1) continue;
        for (int side = 0; side < 2; ++side) {
            int prod = add.in[size_t(side)], bias = add.in[size_t(1 - side)];
            if (prod < 0 || bias < 0 || view.producer[size_t(prod)] < 0 || view.readers[size_t(prod)].size() != 1)
                continue;
            Step& mm = plan.steps[size_t(view.producer[size_t(prod)])];
            if (!mm.is_fused() || std::string(mm.kernel->op) != "Linear" || mm.in.size() != 2) continue;
            const Tensor& w = plan.constants[size_t(mm.in[1])];
            int64_t n = w.shape[mm.fused->attr_i("trans_b", 1) ? 0 : 1];
            if (view.vec(bias) != n) continue;
            Attrs attrs = mm.fused->attrs;
            fuse::make_fused(plan, mm, "Linear", {mm.in[0], mm.in[1], bias}, {add.out[0]}, std::move(attrs));
            drop[i] = true;
            break;
        }
    }
    fuse::drop_steps(plan, drop);
}

}  // namespace hfx::rt
