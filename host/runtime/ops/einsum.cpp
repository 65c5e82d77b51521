#include "runtime/ops/common.h"

#include <algorithm>
#include <map>

#include "runtime/ops/gemm_util.h"
#include "runtime/ops/strided.h"

namespace hfx::rt {
namespace {
constexpr int kEllipsis = 256;  // labels >= this are ellipsis dims, right-aligned

std::string strip(const std::string& s) {
    std::string out;
    for (char c : s)
        if (c != ' ') out += c;
    return out;
}

// Labels of one term; "..." expands to `ell` labels ending at kEllipsis + max_ell - 1.
std::vector<int> labels_of(const KernelContext& ctx, const std::string& term, int64_t rank, int64_t& ell_out,
                           int64_t max_ell) {
    std::vector<int> out;
    size_t dots = term.find("...");
    int64_t letters = int64_t(term.size()) - (dots == std::string::npos ? 0 : 3);
    int64_t ell = dots == std::string::npos ? 0 : rank - letters;
    if (ell < 0 || (dots == std::string::npos && letters != rank))
        ctx.fail("term '", term, "' does not match an input of rank ", std::to_string(rank));
    ell_out = ell;
    for (size_t i = 0; i < term.size(); ++i) {
        if (i == dots) {
            for (int64_t e = 0; e < ell; ++e) out.push_back(kEllipsis + int(max_ell - ell + e));
            i += 2;
            continue;
        }
        if (!std::isalpha(static_cast<unsigned char>(term[i]))) ctx.fail("bad equation term '", term, "'");
        out.push_back(term[i]);
    }
    return out;
}
// `t` (labels `have`) with its dims reordered to `want` (a permutation of `have`);
// shared when already in that order.
Tensor permuted(const Tensor& t, const std::vector<int>& have, const std::vector<int>& want) {
    if (have == want) return t;
    Shape st = strides_of(t.shape), shape, strides;
    for (int l : want) {
        size_t d = size_t(std::find(have.begin(), have.end(), l) - have.begin());
        shape.push_back(t.shape[d]);
        strides.push_back(st[d]);
    }
    Tensor out = Tensor::uninitialized(t.dtype, shape);
    strided_copy(t, 0, strides, out);
    return out;
}

template <class T>
void batched(int64_t nb, int64_t m, int64_t n, int64_t k, const Tensor& a, const Tensor& b, Tensor& c) {
    std::vector<const T*> pa, pb;
    std::vector<T*> pc;
    for (int64_t i = 0; i < nb; ++i) {
        pa.push_back(a.ptr<T>() + i * m * k);
        pb.push_back(b.ptr<T>() + i * k * n);
        pc.push_back(c.ptr<T>() + i * m * n);
    }
    if (nb > 0) gemm_batch<T>(nb, m, n, k, pa.data(), pb.data(), pc.data());
}

// Two float operands whose labels are each batch (both inputs and the output), m (first
// input and output), n (second input and output) or contracted (both inputs only),
// none repeated in a term and no broadcasting: a batched GEMM between transposes, as
// attention's "bhid,bhjd->bhij", "bhij,bhjd->bhid" and "bind,bjnd->bnij" are.
// Returns false (nothing done) for anything else.
bool einsum_as_gemm(KernelContext& ctx, const std::vector<Tensor>& ins, const std::vector<std::vector<int>>& labels,
                    const std::vector<int>& out_labels, const std::map<int, int64_t>& size) {
    DType t = ins[0].dtype;
    if (ins.size() != 2 || (t != DType::f32 && t != DType::f64)) return false;
    auto has = [](const std::vector<int>& v, int l) { return std::find(v.begin(), v.end(), l) != v.end(); };
    for (size_t i = 0; i < 2; ++i)
        for (size_t d = 0; d < labels[i].size(); ++d) {
            if (ins[i].shape[d] != size.at(labels[i][d])) return false;  // broadcast ellipsis dim
            if (std::count(labels[i].begin(), labels[i].end(), labels[i][d]) != 1) return false;  // diagonal
        }
    std::vector<int> batch, ms, ns, ks;
    for (int l : out_labels) {
        bool a = has(labels[0], l), b = has(labels[1], l);
        if (a && b) batch.push_back(l);
        else if (a) ms.push_back(l);
        else if (b) ns.push_back(l);
        else return false;
    }
    for (int l : labels[0])
        if (!has(out_labels, l)) {
            if (!has(labels[1], l)) return false;  // summed over one input alone
            ks.push_back(l);
        }
    for (int l : labels[1])
        if (!has(out_labels, l) && !has(labels[0], l)) return false;
    auto prod = [&](const std::vector<int>& ls) {
        int64_t p = 1;
        for (int l : ls) p *= size.at(l);
        return p;
    };
    int64_t nb = prod(batch), m = prod(ms), n = prod(ns), k = prod(ks);
    auto cat = [](std::vector<int> a, const std::vector<int>& b, const std::vector<int>& c) {
        a.insert(a.end(), b.begin(), b.end());
        a.insert(a.end(), c.begin(), c.end());
        return a;
    };
    Tensor a = permuted(ins[0], labels[0], cat(batch, ms, ks));  // [batch, m, k]
    Tensor b = permuted(ins[1], labels[1], cat(batch, ks, ns));  // [batch, k, n]
    std::vector<int> c_labels = cat(batch, ms, ns);
    Shape c_shape;
    for (int l : c_labels) c_shape.push_back(size.at(l));
    Tensor c = Tensor::uninitialized(t, c_shape);
    if (t == DType::f32) batched<float>(nb, m, n, k, a, b, c);
    else batched<double>(nb, m, n, k, a, b, c);
    ctx.outputs[0] = from_compute(permuted(c, c_labels, out_labels), ctx.in(0).dtype);
    return true;
}
}  // namespace

// General Einsum: every (output, summed) label combination is visited once;
// repeated labels in one term take diagonals, ellipsis dims broadcast.
void op_einsum(KernelContext& ctx) {
    std::string eq = strip(ctx.node.attr_s("equation", ""));
    size_t arrow = eq.find("->");
    std::string lhs = eq.substr(0, arrow);
    std::vector<std::string> terms;
    for (size_t b = 0;;) {
        size_t e = lhs.find(',', b);
        terms.push_back(lhs.substr(b, e == std::string::npos ? std::string::npos : e - b));
        if (e == std::string::npos) break;
        b = e + 1;
    }
    if (terms.size() != ctx.num_inputs())
        ctx.fail("equation has ", std::to_string(terms.size()), " terms for ", std::to_string(ctx.num_inputs()),
                 " inputs");
    std::vector<Tensor> ins;
    int64_t max_ell = 0, ell;
    for (size_t i = 0; i < terms.size(); ++i) {
        ins.push_back(to_compute(ctx.in(i)));
        if (ins.back().dtype != ins[0].dtype) ctx.fail("input dtypes differ");
        labels_of(ctx, terms[i], ins[i].rank(), ell, 0);
        max_ell = std::max(max_ell, ell);
    }
    std::vector<std::vector<int>> labels;
    std::map<int, int64_t> size;
    std::map<int, int> count;
    for (size_t i = 0; i < terms.size(); ++i) {
        labels.push_back(labels_of(ctx, terms[i], ins[i].rank(), ell, max_ell));
        for (size_t d = 0; d < labels[i].size(); ++d) {
            int l = labels[i][d];
            int64_t n = ins[i].shape[d];
            auto [it, fresh] = size.emplace(l, n);
            if (!fresh && it->second != n) {
                if (l >= kEllipsis && (it->second == 1 || n == 1)) it->second = std::max(it->second, n);
                else
                    ctx.fail("label '", std::string(1, char(l < kEllipsis ? l : '.')), "' has sizes ",
                             std::to_string(it->second), " and ", std::to_string(n));
            }
            ++count[l];
        }
    }
    std::vector<int> out_labels;
    if (arrow != std::string::npos) {
        std::string ot = eq.substr(arrow + 2);
        bool dots = ot.find("...") != std::string::npos;
        int64_t rank = int64_t(ot.size()) - (dots ? 3 : 0) + (dots ? max_ell : 0);
        out_labels = labels_of(ctx, ot, rank, ell, max_ell);
    } else {
        for (int64_t e = 0; e < max_ell; ++e) out_labels.push_back(kEllipsis + int(e));
        for (auto [l, c] : count)
            if (l < kEllipsis && c == 1) out_labels.push_back(l);
    }
    std::vector<int> all = out_labels;
    for (auto [l, n] : size)
        if (std::find(all.begin(), all.end(), l) == all.end()) all.push_back(l);
    for (int l : out_labels)
        if (!size.count(l)) ctx.fail("output label '", std::string(1, char(l)), "' is not in any input");
    if (einsum_as_gemm(ctx, ins, labels, out_labels, size)) return;
    Shape out_shape, dims;
    for (int l : out_labels) out_shape.push_back(size[l]);
    for (int l : all) dims.push_back(size[l]);
    // strides[i][k]: element stride of input i along label all[k] (0 when absent or broadcast).
    std::vector<std::vector<int64_t>> strides(ins.size(), std::vector<int64_t>(all.size(), 0));
    for (size_t i = 0; i < ins.size(); ++i) {
        Shape st = strides_of(ins[i].shape);
        for (size_t d = 0; d < labels[i].size(); ++d) {
            size_t k = size_t(std::find(all.begin(), all.end(), labels[i][d]) - all.begin());
            if (ins[i].shape[d] != 1 || dims[k] == 1) strides[i][k] += st[d];
        }
    }
    Tensor out = Tensor::empty(ins[0].dtype, out_shape);
    dispatch_numeric(ctx, ins[0].dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        T* po = out.ptr<T>();
        int64_t total = shape_numel(dims), reduce = 1;
        for (size_t k = out_labels.size(); k < all.size(); ++k) reduce *= dims[k];
        std::vector<int64_t> idx(all.size(), 0), off(ins.size(), 0);
        for (int64_t it = 0; it < total; ++it) {
            T prod = 1;
            for (size_t i = 0; i < ins.size(); ++i) prod = T(prod * ins[i].ptr<T>()[off[i]]);
            po[reduce ? it / reduce : 0] += prod;
            for (int64_t k = int64_t(all.size()) - 1; k >= 0; --k) {
                size_t u = size_t(k);
                ++idx[u];
                for (size_t i = 0; i < ins.size(); ++i) off[i] += strides[i][u];
                if (idx[u] < dims[u]) break;
                for (size_t i = 0; i < ins.size(); ++i) off[i] -= strides[i][u] * idx[u];
                idx[u] = 0;
            }
        }
    });
    ctx.outputs[0] = from_compute(std::move(out), ctx.in(0).dtype);
}
}  // namespace hfx::rt
