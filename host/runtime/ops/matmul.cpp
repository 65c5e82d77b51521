#include "runtime/ops/broadcast.h"
#include "runtime/ops/gemm_util.h"

namespace hfx::rt {
namespace {
template <class T>
void batched(const Tensor& a, const Tensor& b, Tensor& out, const Shape& batch, const Shape& ab, const Shape& bb,
             int64_t m, int64_t n, int64_t k) {
    std::vector<const T*> pa, pb;
    std::vector<T*> pc;
    broadcast_loop<2>(batch, {ab, bb}, [&](int64_t o, const std::array<int64_t, 2>& i) {
        pa.push_back(a.ptr<T>() + i[0] * m * k);
        pb.push_back(b.ptr<T>() + i[1] * k * n);
        pc.push_back(out.ptr<T>() + o * m * n);
    });
    if (batch.empty()) {
        pa = {a.ptr<T>()};
        pb = {b.ptr<T>()};
        pc = {out.ptr<T>()};
    }
    // A shared right-hand matrix with a contiguous left batch is one tall GEMM (x @ W).
    if (pa.size() > 1 && shape_numel(bb) == 1) {
        return gemm<T>(int64_t(pa.size()) * m, n, k, a.ptr<T>(), false, b.ptr<T>(), false, out.ptr<T>());
    }
    gemm_batch<T>(int64_t(pa.size()), m, n, k, pa.data(), pb.data(), pc.data());
}
}  // namespace

// numpy.matmul: 1-D operands are promoted and the added axis removed again;
// leading (batch) dimensions broadcast.
void op_matmul(KernelContext& ctx) {
    const Tensor& a0 = ctx.in(0);
    const Tensor& b0 = ctx.in(1);
    if (a0.dtype != b0.dtype) ctx.fail("input dtypes differ: ", dtype_name(a0.dtype), " and ", dtype_name(b0.dtype));
    if (a0.rank() == 0 || b0.rank() == 0) ctx.fail("operands must not be scalars");
    Tensor a = to_compute(a0), b = to_compute(b0);
    Shape as = a.shape, bs = b.shape;
    if (as.size() == 1) as.insert(as.begin(), 1);
    if (bs.size() == 1) bs.push_back(1);
    int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
    if (bs[bs.size() - 2] != k)
        ctx.fail("shapes ", shape_str(a.shape), " and ", shape_str(b.shape), " do not multiply");
    Shape ab(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2);
    Shape batch = broadcast_shape(ctx, {ab, bb});
    Shape out_shape = batch;
    if (a.rank() > 1) out_shape.push_back(m);
    if (b.rank() > 1) out_shape.push_back(n);
    Shape full = batch;
    full.insert(full.end(), {m, n});
    Tensor out = Tensor::uninitialized(a.dtype, full);  // every element is written by the GEMMs
    switch (a.dtype) {
        case DType::f32:
            batched<float>(a, b, out, batch, ab, bb, m, n, k);
            break;
        case DType::f64:
            batched<double>(a, b, out, batch, ab, bb, m, n, k);
            break;
        case DType::i32:
            batched<int32_t>(a, b, out, batch, ab, bb, m, n, k);
            break;
        case DType::i64:
            batched<int64_t>(a, b, out, batch, ab, bb, m, n, k);
            break;
        case DType::u32:
            batched<uint32_t>(a, b, out, batch, ab, bb, m, n, k);
            break;
        case DType::u64:
            batched<uint64_t>(a, b, out, batch, ab, bb, m, n, k);
            break;
        default:
            ctx.fail("unsupported dtype ", dtype_name(a0.dtype));
    }
    ctx.outputs[0] = from_compute(out.reshaped(out_shape), a0.dtype);
}
}  // namespace hfx::rt
