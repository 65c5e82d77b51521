#include "runtime/ops/common.h"

namespace hfx::rt {
// GlobalAveragePool [N, C, spatial...] -> [N, C, 1, ...]: the mean of each channel.
void op_global_average_pool(KernelContext& ctx) {
    const Tensor& in = ctx.in(0);
    if (in.rank() < 2) ctx.fail("input must have rank >= 2, got ", shape_str(in.shape));
    Tensor x = to_compute(in);
    Shape shape = x.shape;
    int64_t rows = shape[0] * shape[1], count = 1;
    for (size_t d = 2; d < shape.size(); ++d) {
        count *= shape[d];
        shape[d] = 1;
    }
    Tensor out = Tensor::uninitialized(x.dtype, shape);
    dispatch_float(ctx, x.dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        const T* p = x.ptr<T>();
        T* o = out.ptr<T>();
        for (int64_t r = 0; r < rows; ++r) {
            T sum = 0;
            for (int64_t i = 0; i < count; ++i) sum += p[r * count + i];
            o[r] = sum / T(count);
        }
    });
    ctx.outputs[0] = from_compute(std::move(out), in.dtype);
}
}  // namespace hfx::rt
