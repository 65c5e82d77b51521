#include "runtime/ops/broadcast.h"
#include "runtime/ops/gemm_util.h"

namespace hfx::rt {
namespace {
template <class T>
void run(KernelContext& ctx, const Tensor& a, const Tensor& b, const Tensor* c, Tensor& y, bool ta, bool tb, int64_t m,
         int64_t n, int64_t k) {
    T alpha = T(ctx.node.attr_f("alpha", 1.0f)), beta = T(ctx.node.attr_f("beta", 1.0f));
    bool acc = c && beta != T(0);
    if (acc) {  // y = beta * C broadcast to [M, N], then y += alpha * A B
        Tensor cc = to_compute(*c);
        const T* pc = cc.ptr<T>();
        T* py = y.ptr<T>();
        broadcast_loop<1>(y.shape, {cc.shape},
                          [&](int64_t o, const std::array<int64_t, 1>& i) { py[o] = beta * pc[i[0]]; });
    }
    gemm<T>(m, n, k, a.ptr<T>(), ta, b.ptr<T>(), tb, y.ptr<T>(), alpha, acc);
}
}  // namespace

void op_gemm(KernelContext& ctx) {
    const Tensor& a0 = ctx.in(0);
    Tensor a = to_compute(a0), b = to_compute(ctx.in(1));
    if (a.rank() != 2 || b.rank() != 2)
        ctx.fail("A and B must be 2-D, got ", shape_str(a.shape), " and ", shape_str(b.shape));
    bool ta = ctx.node.attr_i("transA", 0) != 0, tb = ctx.node.attr_i("transB", 0) != 0;
    int64_t m = ta ? a.shape[1] : a.shape[0], k = ta ? a.shape[0] : a.shape[1];
    int64_t kb = tb ? b.shape[1] : b.shape[0], n = tb ? b.shape[0] : b.shape[1];
    if (k != kb) ctx.fail("shapes ", shape_str(a.shape), " and ", shape_str(b.shape), " do not multiply");
    const Tensor* c = ctx.has_input(2) ? &ctx.in(2) : nullptr;
    if (c) broadcast_shape(ctx, {c->shape, {m, n}});
    Tensor y = Tensor::empty(a.dtype, {m, n});
    switch (a.dtype) {
        case DType::f32:
            run<float>(ctx, a, b, c, y, ta, tb, m, n, k);
            break;
        case DType::f64:
            run<double>(ctx, a, b, c, y, ta, tb, m, n, k);
            break;
        case DType::i32:
            run<int32_t>(ctx, a, b, c, y, ta, tb, m, n, k);
            break;
        case DType::i64:
            run<int64_t>(ctx, a, b, c, y, ta, tb, m, n, k);
            break;
        default:
            ctx.fail("unsupported dtype ", dtype_name(a0.dtype));
    }
    ctx.outputs[0] = from_compute(std::move(y), a0.dtype);
}
}  // namespace hfx::rt
