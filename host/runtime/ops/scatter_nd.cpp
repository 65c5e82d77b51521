#include "runtime/ops/common.h"

namespace hfx::rt {
// out = data; out[indices[i]] = updates[i] (a slice of data.shape[k:] each), or
// combined by `reduction` (opset 16: none | add | mul).
void op_scatter_nd(KernelContext& ctx) {
    const Tensor& data0 = ctx.in(0);
    const Tensor& it = ctx.in(1);
    Tensor data = to_compute(data0), upd = to_compute(ctx.in(2));
    std::vector<int64_t> idx = int_values(ctx, it);
    if (it.rank() < 1) ctx.fail("indices must have rank >= 1");
    int64_t k = it.shape.back();
    if (k > data.rank())
        ctx.fail("index depth ", std::to_string(k), " exceeds data rank ", std::to_string(data.rank()));
    int64_t slice = 1, count = k ? int64_t(idx.size()) / k : 0;
    for (int64_t d = k; d < data.rank(); ++d) slice *= data.shape[size_t(d)];
    if (upd.numel() != count * slice)
        ctx.fail("updates shape ", shape_str(upd.shape), " does not match indices and data");
    std::string reduction = ctx.node.attr_s("reduction", "none");
    Shape ds = strides_of(data.shape);
    Tensor out = data.clone();
    dispatch_all(ctx, data.dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        T* po = out.ptr<T>();
        const T* pu = upd.ptr<T>();
        for (int64_t i = 0; i < count; ++i) {
            int64_t off = 0;
            for (int64_t d = 0; d < k; ++d) {
                int64_t v = idx[size_t(i * k + d)], dim = data.shape[size_t(d)];
                if (v < -dim || v >= dim)
                    ctx.fail("index ", std::to_string(v), " out of range for axis ", std::to_string(d));
                off += (v < 0 ? v + dim : v) * ds[size_t(d)];
            }
            for (int64_t j = 0; j < slice; ++j) {
                T u = pu[i * slice + j];
                T& o = po[off + j];
                if (reduction == "add") o = T(o + u);
                else if (reduction == "mul") o = T(o * u);
                else o = u;
            }
        }
    });
    ctx.outputs[0] = from_compute(std::move(out), data0.dtype);
}
}  // namespace hfx::rt
