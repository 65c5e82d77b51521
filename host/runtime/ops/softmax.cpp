#include "runtime/ops/common.h"
#include "runtime/ops/gemm_isa.h"
#include "runtime/ops/parallel.h"

#include <limits>

namespace hfx::rt {
namespace {
// Before opset 13 the input is coerced to 2-D at `axis` (default 1) and
// normalised over everything after it; from 13 over the one axis (default -1).
template <class T>
void softmax_rows(const T* x, T* y, int64_t outer, int64_t dim, int64_t inner, bool log) {
    for (int64_t o = 0; o < outer; ++o)
        for (int64_t i = 0; i < inner; ++i) {
            const T* px = x + o * dim * inner + i;
            T* py = y + o * dim * inner + i;
            T mx = -std::numeric_limits<T>::infinity();
            for (int64_t j = 0; j < dim; ++j) mx = std::max(mx, px[j * inner]);
            T sum = 0;
            for (int64_t j = 0; j < dim; ++j) {
                T e = std::exp(px[j * inner] - mx);
                py[j * inner] = e;
                sum += e;
            }
            if (log) {
                T ls = std::log(sum);
                for (int64_t j = 0; j < dim; ++j) py[j * inner] = px[j * inner] - mx - ls;
            } else {
                for (int64_t j = 0; j < dim; ++j) py[j * inner] /= sum;
            }
        }
}

void softmax_op(KernelContext& ctx, bool log) {
    const Tensor& x0 = ctx.in(0);
    Tensor x = to_compute(x0);
    int64_t rank = x.rank();
    bool coerce = ctx.opset < 13;
    int64_t axis = ctx.node.attr_i("axis", coerce ? 1 : -1);
    if (rank == 0) ctx.fail("input must not be a scalar");
    axis = norm_axis(ctx, axis, rank);
    int64_t outer = 1, dim = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= x.shape[size_t(d)];
    if (coerce) {
        for (int64_t d = axis; d < rank; ++d) dim *= x.shape[size_t(d)];
    } else {
        dim = x.shape[size_t(axis)];
        for (int64_t d = axis + 1; d < rank; ++d) inner *= x.shape[size_t(d)];
    }
    if (x.dtype == DType::f32 && inner == 1 && !log && dim > 0) {  // contiguous rows: vectorised, in parallel
        Tensor y = Tensor::uninitialized(x.dtype, x.shape);
        auto fn = isa::softmax();
        const float* px = x.ptr<float>();
        float* py = y.ptr<float>();
        parallel_for(outer, std::max<int64_t>(1, 8192 / dim),
                     [&](int64_t b, int64_t e) { fn(px + b * dim, py + b * dim, e - b, dim); });
        ctx.outputs[0] = from_compute(std::move(y), x0.dtype);
        return;
    }
    Tensor y = Tensor::empty(x.dtype, x.shape);
    dispatch_float(ctx, x.dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        softmax_rows<T>(x.ptr<T>(), y.ptr<T>(), outer, dim, inner, log);
    });
    ctx.outputs[0] = from_compute(std::move(y), x0.dtype);
}
}  // namespace

void op_softmax(KernelContext& ctx) { softmax_op(ctx, false); }
void op_log_softmax(KernelContext& ctx) { softmax_op(ctx, true); }
}  // namespace hfx::rt
