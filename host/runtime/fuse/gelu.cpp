// erf-GELU as exporters write it: u = x * c (or x / (1/c)), c = 1/sqrt(2);
// y = (x * (Erf(u) + 1)) * 0.5 -> one Gelu step.
#include <cmath>

#include "runtime/fuse/fuse.h"
#include "runtime/fuse/view.h"

namespace hfx::rt {

void fuse_gelu(Plan& plan) {
    fuse::View v(plan);
    auto& steps = plan.steps;
    std::vector<bool> drop(steps.size(), false);
    for (size_t i0 = 0; i0 < steps.size(); ++i0) {
        int i = int(i0);
        if (drop[i0] || !(v.op_is(i, "Mul") || v.op_is(i, "Div"))) continue;
        const Step& st = steps[i0];
        bool rank1_scalar = false;  // a [1] constant was matched: a rank-0 input would become [1]
        if (st.in.size() != 2) continue;
        float c = 0;
        bool div = v.op_is(i, "Div");
        int x = -1;
        if (v.scalar(st.in[1], &c, &rank1_scalar)) x = st.in[0];
        else if (!div && v.scalar(st.in[0], &c, &rank1_scalar)) x = st.in[1];
        if (x < 0 || c == 0.f) continue;
        if (div) c = 1.f / c;
        if (std::abs(c - float(1.0 / std::sqrt(2.0))) > 1e-6f) continue;
        int er = v.only(st.out[0], "Erf");
        if (er < 0) continue;
        int ad = v.only(steps[size_t(er)].out[0], "Add");
        float one = 0, half = 0;
        if (ad < 0 || !v.scalar(v.other(ad, steps[size_t(er)].out[0]), &one, &rank1_scalar) || one != 1.f) continue;
        int m1 = v.only(steps[size_t(ad)].out[0], "Mul");
        if (m1 < 0 || v.other(m1, steps[size_t(ad)].out[0]) != x) continue;
        int m2 = v.only(steps[size_t(m1)].out[0], "Mul");
        if (m2 < 0 || !v.scalar(v.other(m2, steps[size_t(m1)].out[0]), &half, &rank1_scalar) || half != 0.5f) continue;
        int y = steps[size_t(m2)].out[0];
        fuse::make_fused(plan, steps[i0], "Gelu", {x}, {y},
                         {{"c", fuse::float_attr(c)}, {"min_rank", fuse::int_attr(rank1_scalar ? 1 : 0)}});
        for (int k : {er, ad, m1, m2}) drop[size_t(k)] = true;
    }
    fuse::drop_steps(plan, drop);
}

}  // namespace hfx::rt
