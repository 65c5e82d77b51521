#include "runtime/ops/common.h"

namespace hfx::rt {
// NonZero: int64 [rank, count], the coordinates of the non-zero elements in
// row-major order (a scalar counts as rank 1 of size 1, as ONNX Runtime does).
void op_non_zero(KernelContext& ctx) {
    Tensor x = to_compute(ctx.in(0));
    Shape shape = x.rank() == 0 ? Shape{1} : x.shape;
    std::vector<int64_t> hits;
    dispatch_all(ctx, x.dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        const T* p = x.ptr<T>();
        for (int64_t i = 0; i < x.numel(); ++i)
            if (p[i] != T(0)) hits.push_back(i);
    });
    int64_t rank = int64_t(shape.size()), count = int64_t(hits.size());
    Tensor out = Tensor::uninitialized(DType::i64, {rank, count});
    int64_t* o = out.ptr<int64_t>();
    Shape strides = strides_of(shape);
    for (int64_t j = 0; j < count; ++j)
        for (int64_t d = 0; d < rank; ++d) o[d * count + j] = (hits[size_t(j)] / strides[size_t(d)]) % shape[size_t(d)];
    ctx.outputs[0] = std::move(out);
}
}  // namespace hfx::rt
