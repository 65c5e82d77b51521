#include "runtime/ops/broadcast.h"

namespace hfx::rt {
namespace {
template <class T>
void select(const Tensor& c, const Tensor& x, const Tensor& y, Tensor& out) {
    const bool* pc = c.ptr<bool>();
    const T* px = x.ptr<T>();
    const T* py = y.ptr<T>();
    T* po = out.ptr<T>();
    broadcast_loop<3>(out.shape, {c.shape, x.shape, y.shape},
                      [&](int64_t o, const std::array<int64_t, 3>& k) { po[o] = pc[k[0]] ? px[k[1]] : py[k[2]]; });
}
}  // namespace

void op_where(KernelContext& ctx) {
    const Tensor& c = ctx.in(0);
    const Tensor& x = ctx.in(1);
    const Tensor& y = ctx.in(2);
    if (c.dtype != DType::boolean) ctx.fail("condition must be bool, got ", dtype_name(c.dtype));
    if (x.dtype != y.dtype) ctx.fail("input dtypes differ: ", dtype_name(x.dtype), " and ", dtype_name(y.dtype));
    Tensor out = Tensor::empty(x.dtype, broadcast_shape(ctx, {c.shape, x.shape, y.shape}));
    switch (dtype_size(x.dtype)) {  // pure data movement: select by element size
        case 1:
            select<uint8_t>(c, x, y, out);
            break;
        case 2:
            select<uint16_t>(c, x, y, out);
            break;
        case 4:
            select<uint32_t>(c, x, y, out);
            break;
        case 8:
            select<uint64_t>(c, x, y, out);
            break;
        default:
            ctx.fail("unsupported dtype ", dtype_name(x.dtype));
    }
    ctx.outputs[0] = std::move(out);
}
}  // namespace hfx::rt
