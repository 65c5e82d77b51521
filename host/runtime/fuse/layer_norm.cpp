// LayerNormalization as the opset < 17 lowering writes it, over the last axis:
//   m = ReduceMean(x); d = x - m; v = ReduceMean(Pow(d, 2)); y = d / Sqrt(v + eps) * gamma [+ beta]
// -> one LayerNorm step (gamma, beta 1-D float constants of the same length).
#include "runtime/fuse/fuse.h"
#include "runtime/fuse/view.h"

namespace hfx::rt {

namespace {
bool last_axis_mean(const fuse::View& v, int i) {
    const Node& n = v.node(i);
    return v.plan.steps[size_t(i)].in.size() == 1 && n.attr_ints("axes") == std::vector<int64_t>{-1} &&
           n.attr_i("keepdims", 1) == 1;
}
}  // namespace

void fuse_layer_norm(Plan& plan) {
    fuse::View v(plan);
    auto& steps = plan.steps;
    std::vector<bool> drop(steps.size(), false);
    for (size_t i0 = 0; i0 < steps.size(); ++i0) {
        int i = int(i0);
        if (drop[i0] || !v.op_is(i, "ReduceMean") || !last_axis_mean(v, i)) continue;
        int x = steps[i0].in[0], m = steps[i0].out[0];
        int sub = v.only(m, "Sub");
        if (sub < 0 || steps[size_t(sub)].in != std::vector<int>{x, m}) continue;
        int d = steps[size_t(sub)].out[0];
        if (v.readers[size_t(d)].size() != 2) continue;
        int pw = -1, dv = -1;
        for (int r : v.readers[size_t(d)]) {
            if (r >= 0 && v.op_is(r, "Pow")) pw = r;
            if (r >= 0 && v.op_is(r, "Div")) dv = r;
        }
        float two = 0, eps = 0;
        if (pw < 0 || dv < 0 || steps[size_t(pw)].in.size() != 2 || steps[size_t(pw)].in[0] != d ||
            !v.scalar(steps[size_t(pw)].in[1], &two) || two != 2.f)
            continue;
        int r2 = v.only(steps[size_t(pw)].out[0], "ReduceMean");
        if (r2 < 0 || !last_axis_mean(v, r2)) continue;
        int ad = v.only(steps[size_t(r2)].out[0], "Add");
        if (ad < 0 || !v.scalar(v.other(ad, steps[size_t(r2)].out[0]), &eps)) continue;
        int sq = v.only(steps[size_t(ad)].out[0], "Sqrt");
        if (sq < 0 || v.only(steps[size_t(sq)].out[0], "Div") != dv ||
            steps[size_t(dv)].in != std::vector<int>{d, steps[size_t(sq)].out[0]})
            continue;
        int mu = v.only(steps[size_t(dv)].out[0], "Mul");
        if (mu < 0) continue;
        int gamma = v.other(mu, steps[size_t(dv)].out[0]);
        int64_t n = v.vec(gamma);
        if (n < 0) continue;
        int sc = steps[size_t(mu)].out[0], beta = -1, last = mu;
        int bt = v.only(sc, "Add");
        if (bt >= 0 && v.vec(v.other(bt, sc)) == n) {
            beta = v.other(bt, sc);
            last = bt;
        }
        int y = steps[size_t(last)].out[0];
        fuse::make_fused(plan, steps[i0], "LayerNorm", {x, gamma, beta}, {y}, {{"epsilon", fuse::float_attr(eps)}});
        for (int k : {sub, pw, r2, ad, sq, dv, mu, last}) drop[size_t(k)] = k != i;
    }
    fuse::drop_steps(plan, drop);
}

}  // namespace hfx::rt
