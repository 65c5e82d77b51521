// MatMul(x, W^T) where W^T is a deferred Transpose of a 2-D float constant W (the
// exporter's Linear), or MatMul(x, W) with W a 2-D float constant (other exporters'
// Linear) -> one Linear step that reads W as stored.
#include "runtime/fuse/fuse.h"
#include "runtime/fuse/view.h"

namespace hfx::rt {

void fuse_linear(Plan& plan) {
    fuse::View view(plan);
    for (size_t i = 0; i < plan.steps.size(); ++i) {
        Step& st = plan.steps[i];
        if (!view.op_is(int(i), "MatMul") || st.in.size() != 2 || st.in[0] < 0 || st.in[1] < 0 || st.out.size() != 1 ||
            st.out[0] < 0)
            continue;
        int w = plan.transposed_from(st.in[1]);
        bool trans_b = w >= 0;
        if (!trans_b) {
            const Tensor& t = plan.constants[size_t(st.in[1])];
            if (!t.defined() || t.dtype != DType::f32 || t.rank() != 2) continue;
            w = st.in[1];
        }
        fuse::make_fused(plan, st, "Linear", {st.in[0], w}, {st.out[0]}, {{"trans_b", fuse::int_attr(trans_b)}});
    }
}

}  // namespace hfx::rt
