// Fused Linear (fuse/linear.cpp, fuse/linear_bias.cpp): y = x @ W^T (+ bias) with W a
// 2-D float constant read as stored, [n, k] (trans_b = 1, read through a Transpose) or
// [k, n] (trans_b = 0, MatMul(x, W)); no transposed copy of the weights is ever made.
// The product starts from the bias. Messages name the original MatMul.
#include <algorithm>

#include "runtime/ops/gemm_util.h"
#include "runtime/ops/ops.h"
#include "runtime/packed_weights.h"

namespace hfx::rt {
void op_fused_linear(KernelContext& ctx) {
    const Tensor& x = ctx.in(0);
    const Tensor& w = ctx.in(1);
    bool wt = ctx.node.attr_i("trans_b", 1) != 0;
    if (x.dtype != DType::f32) ctx.fail("input dtypes differ: ", dtype_name(x.dtype), " and float32");
    if (x.rank() == 0) ctx.fail("operands must not be scalars");
    int64_t n = w.shape[wt ? 0 : 1], k = w.shape[wt ? 1 : 0];
    if (x.shape.back() != k) ctx.fail("shapes ", shape_str(x.shape), " and ", shape_str({k, n}), " do not multiply");
    Shape out_shape(x.shape.begin(), x.shape.end() - 1);
    out_shape.push_back(n);
    Tensor out = Tensor::uninitialized(DType::f32, out_shape);
    int64_t m = x.numel() / std::max<int64_t>(1, k);
    if (k == 0) m = shape_numel(Shape(x.shape.begin(), x.shape.end() - 1));
    bool acc = ctx.has_input(2);
    if (acc) {
        const float* b = ctx.in(2).ptr<float>();
        float* o = out.ptr<float>();
        for (int64_t r = 0; r < m; ++r) std::copy(b, b + n, o + r * n);
    }
    const PackedB* packed = ctx.packed ? ctx.packed->get(ctx.linear_index, m) : nullptr;
    if (packed) gemm_packed(m, x.ptr<float>(), *packed, out.ptr<float>(), acc);
    else gemm<float>(m, n, k, x.ptr<float>(), false, w.ptr<float>(), wt, out.ptr<float>(), 1.f, acc);
    ctx.outputs[0] = std::move(out);
}
}  // namespace hfx::rt
