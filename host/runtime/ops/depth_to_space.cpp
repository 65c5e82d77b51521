#include "runtime/ops/common.h"

namespace hfx::rt {
// DepthToSpace [N, C, H, W] -> [N, C/b², H b, W b]. DCR (default): channel
// (i, j, c) of b x b x C/b² moves to (c, h b + i, w b + j); CRD: channel (c, i, j).
void op_depth_to_space(KernelContext& ctx) {
    const Tensor& x = ctx.in(0);
    int64_t bs = ctx.node.attr_i("blocksize", 0);
    if (x.rank() != 4) ctx.fail("input must be 4-D, got ", shape_str(x.shape));
    if (bs <= 0) ctx.fail("blocksize must be positive");
    int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
    if (c % (bs * bs))
        ctx.fail("channels ", std::to_string(c), " are not a multiple of blocksize² ", std::to_string(bs * bs));
    bool crd = ctx.node.attr_s("mode", "DCR") == "CRD";
    int64_t oc = c / (bs * bs), oh = h * bs, ow = w * bs;
    Tensor out = Tensor::uninitialized(x.dtype, {n, oc, oh, ow});
    for (int64_t b = 0; b < n; ++b)
        for (int64_t k = 0; k < oc; ++k)
            for (int64_t y = 0; y < oh; ++y)
                for (int64_t i = 0; i < bs; ++i) {  // output columns x = xw * bs + i read input column xw
                    int64_t j = y % bs;
                    int64_t ch = crd ? (k * bs + j) * bs + i : (j * bs + i) * oc + k;
                    int64_t src = ((b * c + ch) * h + y / bs) * w;
                    int64_t dst = ((b * oc + k) * oh + y) * ow + i;
                    for (int64_t xw = 0; xw < w; ++xw) copy_elements(x, src + xw, out, dst + xw * bs, 1);
                }
    ctx.outputs[0] = std::move(out);
}
}  // namespace hfx::rt
