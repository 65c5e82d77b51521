#include "runtime/ops/common.h"

namespace hfx::rt {
// GatherND(data [r], indices [q], batch_dims b): each index tuple (last axis of
// indices, length k) picks a slice data[batch..., i0, ..., ik-1, :] within its batch.
// out = indices.shape[:-1] + data.shape[b + k:].
void op_gather_nd(KernelContext& ctx) {
    const Tensor& data = ctx.in(0);
    const Tensor& indices = ctx.in(1);
    std::vector<int64_t> idx = int_values(ctx, indices);
    int64_t b = ctx.node.attr_i("batch_dims", 0), r = data.rank(), q = indices.rank();
    if (q < 1 || r < 1) ctx.fail("data and indices must have rank >= 1");
    int64_t k = indices.shape.back();
    if (b < 0 || b >= std::min(q, r) || b + k > r)
        ctx.fail("batch_dims ", std::to_string(b), " and index length ", std::to_string(k), " do not fit data ",
                 shape_str(data.shape), " and indices ", shape_str(indices.shape));
    for (int64_t d = 0; d < b; ++d)
        if (data.shape[size_t(d)] != indices.shape[size_t(d)])
            ctx.fail("batch dimension ", std::to_string(d), " differs: ", shape_str(data.shape), " and ",
                     shape_str(indices.shape));
    Shape out_shape(indices.shape.begin(), indices.shape.end() - 1);
    out_shape.insert(out_shape.end(), data.shape.begin() + b + k, data.shape.end());
    int64_t batches = 1, slice = 1;
    for (int64_t d = 0; d < b; ++d) batches *= data.shape[size_t(d)];
    for (int64_t d = b + k; d < r; ++d) slice *= data.shape[size_t(d)];
    int64_t per_batch_data = 1;  // elements of data per batch
    for (int64_t d = b; d < r; ++d) per_batch_data *= data.shape[size_t(d)];
    int64_t tuples = k ? int64_t(idx.size()) / k : shape_numel(Shape(indices.shape.begin(), indices.shape.end() - 1));
    int64_t per_batch = tuples / std::max<int64_t>(1, batches);
    Tensor out = Tensor::uninitialized(data.dtype, out_shape);
    for (int64_t t = 0; t < tuples; ++t) {
        int64_t batch = t / std::max<int64_t>(1, per_batch), offset = 0;
        for (int64_t j = 0; j < k; ++j) {
            int64_t dim = data.shape[size_t(b + j)], v = idx[size_t(t * k + j)];
            if (v < -dim || v >= dim)
                ctx.fail("index ", std::to_string(v), " out of range for axis ", std::to_string(b + j), " of size ",
                         std::to_string(dim));
            offset = offset * dim + (v < 0 ? v + dim : v);
        }
        copy_elements(data, batch * per_batch_data + offset * slice, out, t * slice, slice);
    }
    ctx.outputs[0] = std::move(out);
}
}  // namespace hfx::rt
