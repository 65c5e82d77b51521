#include "runtime/ops/common.h"
#include "runtime/ops/gemm_util.h"

namespace hfx::rt {
namespace {
struct ConvGeom {
    int64_t n, c, m, groups, spatial_in = 1, spatial_out = 1, kernel = 1;
    Shape in, out, k, stride, dil, pad_begin;
};

ConvGeom geometry(const KernelContext& ctx, const Tensor& x, const Tensor& w) {
    ConvGeom g;
    int64_t nd = x.rank() - 2;
    if (nd < 1 || w.rank() != x.rank())
        ctx.fail("X ", shape_str(x.shape), " and W ", shape_str(w.shape), " do not form a convolution");
    g.n = x.shape[0];
    g.c = x.shape[1];
    g.m = w.shape[0];
    g.groups = ctx.node.attr_i("group", 1);
    if (g.groups < 1 || g.c % g.groups || g.m % g.groups || w.shape[1] != g.c / g.groups)
        ctx.fail("channels ", std::to_string(g.c), " and W ", shape_str(w.shape), " do not match group ",
                 std::to_string(g.groups));
    g.in.assign(x.shape.begin() + 2, x.shape.end());
    g.k.assign(w.shape.begin() + 2, w.shape.end());
    auto attr = [&](const char* name, int64_t fallback, size_t n) {
        std::vector<int64_t> v = ctx.node.attr_ints(name);
        if (v.empty()) v.assign(n, fallback);
        if (v.size() != n) ctx.fail(name, " has ", std::to_string(v.size()), " entries, expected ", std::to_string(n));
        return v;
    };
    g.stride = attr("strides", 1, size_t(nd));
    g.dil = attr("dilations", 1, size_t(nd));
    std::vector<int64_t> pads = attr("pads", 0, size_t(2 * nd));
    std::string auto_pad = ctx.node.attr_s("auto_pad", "NOTSET");
    for (int64_t d = 0; d < nd; ++d) {
        size_t u = size_t(d);
        int64_t span = g.dil[u] * (g.k[u] - 1) + 1;
        if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
            int64_t out = (g.in[u] + g.stride[u] - 1) / g.stride[u];
            int64_t total = std::max<int64_t>(0, (out - 1) * g.stride[u] + span - g.in[u]);
            pads[u] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
            pads[u + size_t(nd)] = total - pads[u];
        } else if (auto_pad == "VALID") {
            pads[u] = pads[u + size_t(nd)] = 0;
        }
        int64_t out = (g.in[u] + pads[u] + pads[u + size_t(nd)] - span) / g.stride[u] + 1;
        if (out < 0) out = 0;
        g.out.push_back(out);
        g.pad_begin.push_back(pads[u]);
        g.spatial_in *= g.in[u];
        g.spatial_out *= out;
        g.kernel *= g.k[u];
    }
    return g;
}

// col[(c * K + kk) * S_out + s] = x[c, s * stride - pad + kk * dil] or 0 outside.
template <class T>
void im2col(const T* x, int64_t channels, const ConvGeom& g, T* col) {
    size_t nd = g.in.size();
    std::vector<int64_t> kidx(nd), oidx(nd);
    for (int64_t kk = 0; kk < g.kernel; ++kk) {
        for (int64_t r = kk, d = int64_t(nd) - 1; d >= 0; --d) {
            kidx[size_t(d)] = r % g.k[size_t(d)];
            r /= g.k[size_t(d)];
        }
        for (int64_t s = 0; s < g.spatial_out; ++s) {
            for (int64_t r = s, d = int64_t(nd) - 1; d >= 0; --d) {
                oidx[size_t(d)] = r % g.out[size_t(d)];
                r /= g.out[size_t(d)];
            }
            int64_t off = 0;
            bool inside = true;
            for (size_t d = 0; d < nd; ++d) {
                int64_t p = oidx[d] * g.stride[d] - g.pad_begin[d] + kidx[d] * g.dil[d];
                inside = inside && p >= 0 && p < g.in[d];
                off = off * g.in[d] + p;
            }
            for (int64_t c = 0; c < channels; ++c)
                col[(c * g.kernel + kk) * g.spatial_out + s] = inside ? x[c * g.spatial_in + off] : T(0);
        }
    }
}

template <class T>
void conv(const Tensor& x, const Tensor& w, const Tensor* b, const ConvGeom& g, Tensor& y) {
    int64_t cg = g.c / g.groups, mg = g.m / g.groups;
    std::vector<T> col(size_t(cg * g.kernel * g.spatial_out));
    for (int64_t n = 0; n < g.n; ++n)
        for (int64_t gr = 0; gr < g.groups; ++gr) {
            const T* xs = x.ptr<T>() + (n * g.c + gr * cg) * g.spatial_in;
            T* ys = y.ptr<T>() + (n * g.m + gr * mg) * g.spatial_out;
            im2col<T>(xs, cg, g, col.data());
            gemm<T>(mg, g.spatial_out, cg * g.kernel, w.ptr<T>() + gr * mg * cg * g.kernel, false, col.data(), false,
                    ys);
            if (b)
                for (int64_t m = 0; m < mg; ++m)
                    for (int64_t s = 0; s < g.spatial_out; ++s) ys[m * g.spatial_out + s] += b->ptr<T>()[gr * mg + m];
        }
}
}  // namespace

// N-d convolution (1-D and 2-D in practice) by im2col + GEMM, with groups,
// pads / auto_pad, strides and dilations.
void op_conv(KernelContext& ctx) {
    const Tensor& x0 = ctx.in(0);
    Tensor x = to_compute(x0), w = to_compute(ctx.in(1));
    Tensor b;
    if (ctx.has_input(2)) b = to_compute(ctx.in(2));
    ConvGeom g = geometry(ctx, x, w);
    if (b.defined() && b.numel() != g.m)
        ctx.fail("B has ", std::to_string(b.numel()), " values for ", std::to_string(g.m), " output channels");
    Shape out_shape = {g.n, g.m};
    out_shape.insert(out_shape.end(), g.out.begin(), g.out.end());
    Tensor y = Tensor::empty(x.dtype, out_shape);
    dispatch_float(ctx, x.dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        conv<T>(x, w, b.defined() ? &b : nullptr, g, y);
    });
    ctx.outputs[0] = from_compute(std::move(y), x0.dtype);
}
}  // namespace hfx::rt
