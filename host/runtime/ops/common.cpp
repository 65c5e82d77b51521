#include "runtime/ops/common.h"

#include <cstring>
#include <limits>

namespace hfx::rt {

void copy_elements(const Tensor& src, int64_t src_index, Tensor& dst, int64_t dst_index, int64_t count) {
    size_t es = dtype_size(src.dtype);
    if (count > 0)
        std::memcpy(static_cast<char*>(dst.data) + size_t(dst_index) * es,
                    static_cast<const char*>(src.data) + size_t(src_index) * es, size_t(count) * es);
}

Tensor to_compute(const Tensor& t) {
    if (t.dtype == DType::f16 || t.dtype == DType::bf16) return t.to_f32();
    return t;
}

Tensor from_compute(Tensor t, DType dtype) {
    if (t.dtype != DType::f32 || (dtype != DType::f16 && dtype != DType::bf16)) return t;
    Tensor out = Tensor::empty(dtype, t.shape);
    const float* in = t.ptr<float>();
    uint16_t* o = out.ptr<uint16_t>();
    int64_t n = t.numel();
    if (dtype == DType::f16) {
        for (int64_t i = 0; i < n; ++i) o[i] = float_to_half(in[i]);
    } else {
        for (int64_t i = 0; i < n; ++i) {  // round to nearest even, keep NaN quiet
            uint32_t x;
            std::memcpy(&x, &in[i], 4);
            if ((x & 0x7fffffff) > 0x7f800000) o[i] = uint16_t((x >> 16) | 0x40);
            else o[i] = uint16_t((x + 0x7fff + ((x >> 16) & 1)) >> 16);
        }
    }
    return out;
}

namespace {

template <class To, class From>
To convert(From v) {
    if constexpr (std::is_same_v<To, bool>) {
        return v != From(0);
    } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
        if (std::isnan(v)) return To(0);
        // Out-of-range float -> int is UB in C++; saturate like most runtimes do.
        if (v >= double(std::numeric_limits<To>::max())) return std::numeric_limits<To>::max();
        if (v <= double(std::numeric_limits<To>::lowest())) return std::numeric_limits<To>::lowest();
        return To(v);
    } else {
        return To(v);
    }
}

}  // namespace

Tensor cast_tensor(const KernelContext& ctx, const Tensor& t, DType to) {
    if (t.dtype == to) return t;
    Tensor src = to_compute(t);
    DType compute_to = (to == DType::f16 || to == DType::bf16) ? DType::f32 : to;
    Tensor out = src.dtype == compute_to ? src : Tensor::empty(compute_to, t.shape);
    if (src.dtype != compute_to) {
        int64_t n = t.numel();
        dispatch_all(ctx, src.dtype, [&](auto si) {
            using S = typename decltype(si)::type;
            dispatch_all(ctx, compute_to, [&](auto di) {
                using D = typename decltype(di)::type;
                const S* s = src.ptr<S>();
                D* d = out.ptr<D>();
                for (int64_t i = 0; i < n; ++i) d[i] = convert<D>(s[i]);
            });
        });
    }
    return from_compute(out, to);
}

std::vector<int64_t> int_values(const KernelContext& ctx, const Tensor& t) {
    std::vector<int64_t> v(size_t(t.numel()));
    if (t.dtype == DType::i64) {
        for (size_t i = 0; i < v.size(); ++i) v[i] = t.ptr<int64_t>()[i];
    } else if (t.dtype == DType::i32) {
        for (size_t i = 0; i < v.size(); ++i) v[i] = t.ptr<int32_t>()[i];
    } else {
        ctx.fail("expected an int64 or int32 tensor, got ", dtype_name(t.dtype));
    }
    return v;
}

double scalar_value(const KernelContext& ctx, const Tensor& t) {
    if (t.numel() < 1) ctx.fail("expected a scalar, got shape ", shape_str(t.shape));
    Tensor d = cast_tensor(ctx, t, DType::f64);
    return d.ptr<double>()[0];
}

int64_t norm_axis(const KernelContext& ctx, int64_t axis, int64_t rank) {
    if (axis < -rank || axis >= rank)
        ctx.fail("axis ", std::to_string(axis), " out of range for rank ", std::to_string(rank));
    return axis < 0 ? axis + rank : axis;
}

Shape strides_of(const Shape& s) {
    Shape st(s.size(), 1);
    for (int64_t i = int64_t(s.size()) - 2; i >= 0; --i) st[size_t(i)] = st[size_t(i) + 1] * s[size_t(i) + 1];
    return st;
}

std::vector<int64_t> axes_arg(const KernelContext& ctx, int input_since_opset, size_t input_index, const char* name) {
    // hfexport's canonical (pre-lowering) graphs keep axes as attributes at any
    // opset; the validator's eager evaluation runs them as they are.
    if (ctx.node.has(name)) return ctx.node.attr_ints(name);
    if (ctx.opset >= input_since_opset) {
        if (!ctx.has_input(input_index)) return {};
        return int_values(ctx, ctx.in(input_index));
    }
    return ctx.node.attr_ints(name);
}

}  // namespace hfx::rt
