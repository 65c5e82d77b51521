#include "runtime/ops/common.h"

namespace hfx::rt {
// Sizes: `split` attribute before opset 13, input from 13; otherwise equal parts
// (opset 18: num_outputs, the last part may be smaller).
void op_split(KernelContext& ctx) {
    const Tensor& x = ctx.in(0);
    int64_t axis = norm_axis(ctx, ctx.node.attr_i("axis", 0), x.rank());
    int64_t dim = x.shape[size_t(axis)];
    std::vector<int64_t> sizes = axes_arg(ctx, 13, 1, "split");
    int64_t parts = int64_t(ctx.outputs.size());
    if (sizes.empty()) {
        int64_t each = ctx.opset >= 18 ? (dim + parts - 1) / parts : dim / parts;
        if (ctx.opset < 18 && dim % parts)
            ctx.fail("axis size ", std::to_string(dim), " does not split into ", std::to_string(parts));
        for (int64_t i = 0, left = dim; i < parts; ++i, left -= each) sizes.push_back(std::min(each, left));
    }
    int64_t total = 0;
    for (int64_t s : sizes) total += s;
    if (int64_t(sizes.size()) != parts || total != dim)
        ctx.fail("split sizes do not add up to axis size ", std::to_string(dim), " over ", std::to_string(parts),
                 " outputs");
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= x.shape[size_t(d)];
    for (int64_t d = axis + 1; d < x.rank(); ++d) inner *= x.shape[size_t(d)];
    int64_t col = 0;
    for (int64_t p = 0; p < parts; ++p) {
        Shape s = x.shape;
        s[size_t(axis)] = sizes[size_t(p)];
        Tensor out = Tensor::empty(x.dtype, s);
        int64_t chunk = sizes[size_t(p)] * inner;
        for (int64_t o = 0; o < outer; ++o) copy_elements(x, o * dim * inner + col, out, o * chunk, chunk);
        col += chunk;
        ctx.outputs[size_t(p)] = std::move(out);
    }
}
}  // namespace hfx::rt
