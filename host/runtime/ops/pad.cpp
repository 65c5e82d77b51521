#include "runtime/ops/common.h"

namespace hfx::rt {
namespace {
// Maps an output coordinate to the input for reflect / edge / wrap; -1 = use the constant.
int64_t source(int64_t i, int64_t n, const std::string& mode) {
    if (i >= 0 && i < n) return i;
    if (mode == "constant" || n == 0) return -1;
    if (mode == "edge") return i < 0 ? 0 : n - 1;
    if (mode == "wrap") return ((i % n) + n) % n;
    if (n == 1) return 0;  // reflect
    int64_t period = 2 * (n - 1);
    i = ((i % period) + period) % period;
    return i < n ? i : period - i;
}
}  // namespace

// pads [x1_begin, x2_begin, ..., x1_end, x2_end, ...]: attribute before opset 11,
// input from 11 (with constant_value, and axes from 18). Negative pads crop.
void op_pad(KernelContext& ctx) {
    const Tensor& x = ctx.in(0);
    int64_t rank = x.rank();
    std::string mode = ctx.node.attr_s("mode", "constant");
    std::vector<int64_t> pads;
    double value = 0;
    if (ctx.opset < 11) {
        pads = ctx.node.attr_ints(ctx.node.has("pads") ? "pads" : "paddings");
        value = ctx.node.attr_f("value", 0);
    } else {
        pads = int_values(ctx, ctx.in(1));
        if (ctx.has_input(2) && ctx.in(2).numel()) value = scalar_value(ctx, ctx.in(2));
    }
    std::vector<int64_t> axes;
    if (ctx.opset >= 18 && ctx.has_input(3)) axes = int_values(ctx, ctx.in(3));
    if (axes.empty())
        for (int64_t d = 0; d < rank; ++d) axes.push_back(d);
    if (pads.size() != 2 * axes.size())
        ctx.fail("pads has ", std::to_string(pads.size()), " entries for ", std::to_string(axes.size()), " axes");
    std::vector<int64_t> begin(size_t(rank), 0), end(size_t(rank), 0);
    for (size_t i = 0; i < axes.size(); ++i) {
        size_t a = size_t(norm_axis(ctx, axes[i], rank));
        begin[a] = pads[i];
        end[a] = pads[i + axes.size()];
    }
    Shape out_shape = x.shape;
    for (size_t d = 0; d < size_t(rank); ++d) {
        out_shape[d] += begin[d] + end[d];
        if (out_shape[d] < 0) ctx.fail("pads make dimension ", std::to_string(d), " negative");
        if (x.shape[d] == 0 && out_shape[d] > 0 && mode != "constant") ctx.fail("cannot ", mode, "-pad an empty axis");
    }
    Tensor fill = cast_tensor(ctx, Tensor::from(DType::f64, {}, std::vector<double>{value}), x.dtype);
    Tensor out = Tensor::empty(x.dtype, out_shape);
    Shape xs = strides_of(x.shape);
    std::vector<int64_t> idx(size_t(rank), 0);
    for (int64_t o = 0; o < out.numel(); ++o) {
        int64_t off = 0;
        bool constant = false;
        for (size_t d = 0; d < size_t(rank) && !constant; ++d) {
            int64_t s = source(idx[d] - begin[d], x.shape[d], mode);
            if (s < 0) constant = true;
            else off += s * xs[d];
        }
        if (constant) copy_elements(fill, 0, out, o, 1);
        else copy_elements(x, off, out, o, 1);
        for (int64_t d = rank - 1; d >= 0; --d) {
            if (++idx[size_t(d)] < out_shape[size_t(d)]) break;
            idx[size_t(d)] = 0;
        }
    }
    ctx.outputs[0] = std::move(out);
}
}  // namespace hfx::rt
