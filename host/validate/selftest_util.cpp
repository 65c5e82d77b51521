#include "validate/selftest_util.h"

#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/error.h"

namespace hfx::selftest {

Tensor slice(const Tensor& t, int64_t axis, int64_t begin, int64_t end) {
    if (axis < 0 || axis >= t.rank() || begin < 0 || end > t.shape[size_t(axis)] || begin > end)
        fail("selftest: slice [", std::to_string(begin), ", ", std::to_string(end), ") of axis ", std::to_string(axis),
             " out of range for ", shape_str(t.shape));
    Shape s = t.shape;
    s[size_t(axis)] = end - begin;
    Tensor out = Tensor::empty(t.dtype, s);
    int64_t outer = 1, inner = int64_t(dtype_size(t.dtype));
    for (int64_t k = 0; k < axis; ++k) outer *= t.shape[size_t(k)];
    for (int64_t k = axis + 1; k < t.rank(); ++k) inner *= t.shape[size_t(k)];
    int64_t len = t.shape[size_t(axis)];
    const char* src = static_cast<const char*>(t.data);
    char* dst = static_cast<char*>(out.data);
    for (int64_t o = 0; o < outer; ++o)
        if (end > begin)
            std::memcpy(dst + o * (end - begin) * inner, src + (o * len + begin) * inner,
                        size_t((end - begin) * inner));
    return out;
}

bool is_sequence_axis(const Dim& d) { return d.size < 0 && d.symbol == "sequence"; }
bool is_total_sequence_axis(const Dim& d) {
    return d.size < 0 && d.symbol != "sequence" && d.symbol.size() > 8 &&
           d.symbol.compare(d.symbol.size() - 8, 8, "sequence") == 0 && d.symbol.find('+') != std::string::npos;
}

namespace {

std::string trimmed(std::string s) {
    s.erase(0, s.find_first_not_of(' '));
    s.erase(s.find_last_not_of(' ') + 1);
    return s;
}

bool ends_with_batch(const std::string& s) { return s.size() >= 5 && s.compare(s.size() - 5, 5, "batch") == 0; }

}  // namespace

bool is_batch_axis(const Dim& d, const DimBindings& dims, int64_t* per_entry) {
    if (d.size >= 0 || d.symbol.find('+') != std::string::npos) return false;
    int64_t other = 1;
    int batches = 0;
    size_t start = 0;
    while (start <= d.symbol.size()) {
        size_t end = d.symbol.find('*', start);
        if (end == std::string::npos) end = d.symbol.size();
        std::string f = trimmed(d.symbol.substr(start, end - start));
        if (ends_with_batch(f)) ++batches;
        else other *= resolve_dim(Dim{-1, f}, dims);
        start = end + 1;
    }
    if (batches != 1) return false;
    if (per_entry) *per_entry = other;
    return true;
}

Tensor batch_entries(const Tensor& t, const std::vector<Dim>& axes, const DimBindings& dims, int64_t begin,
                     int64_t end) {
    Tensor out = t;
    int64_t per = 1;
    for (size_t k = 0; k < axes.size(); ++k)
        if (is_batch_axis(axes[k], dims, &per)) out = slice(out, int64_t(k), begin * per, end * per);
    return out;
}

std::string fmt(double v) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.3g", v);
    return buf;
}

std::string axes_str(const std::vector<Dim>& dims) {
    std::string s = "[";
    for (size_t k = 0; k < dims.size(); ++k)
        s += (k ? ", " : "") + (dims[k].size >= 0 ? std::to_string(dims[k].size) : dims[k].symbol);
    return s + "]";
}

namespace {

// The size of a symbolic axis when every term is bound ("past_sequence + sequence").
bool bound_size(const Dim& d, const DimBindings& dims, int64_t* out) {
    size_t start = 0;
    const std::string& s = d.symbol;
    while (start <= s.size()) {
        size_t end = s.find('+', start);
        if (end == std::string::npos) end = s.size();
        std::string term = s.substr(start, end - start);
        term.erase(0, term.find_first_not_of(' '));
        term.erase(term.find_last_not_of(' ') + 1);
        bool number = !term.empty() && term.find_first_not_of("0123456789") == std::string::npos;
        if (!number && !dims.count(term)) return false;
        start = end + 1;
    }
    *out = resolve_dim(d, dims);
    return true;
}

}  // namespace

void check_declared_shapes(const std::vector<ValueInfo>& outputs, const Tensors& got, const DimBindings& dims) {
    for (const ValueInfo& o : outputs) {
        auto it = got.find(o.name);
        if (it == got.end()) fail("output '", o.name, "': not produced");
        const Shape& s = it->second.shape;
        std::string why;
        if (s.size() != o.dims.size()) {
            why = "rank " + std::to_string(s.size()) + ", declared " + std::to_string(o.dims.size());
        } else {
            for (size_t k = 0; k < s.size() && why.empty(); ++k) {
                int64_t want = o.dims[k].size;
                if (want < 0 && !bound_size(o.dims[k], dims, &want)) continue;
                if (s[k] != want)
                    why = "axis " + std::to_string(k) + " is " + std::to_string(s[k]) + ", declared " +
                          (o.dims[k].size >= 0 ? "" : o.dims[k].symbol + " = ") + std::to_string(want);
            }
        }
        if (!why.empty())
            fail("output '", o.name, "': shape ", shape_str(s), " does not match its declared axes ", axes_str(o.dims),
                 " (", why, ")");
    }
}

double max_diff(const std::vector<std::string>& names, const Tensors& a, const Tensors& b, std::string* worst) {
    double out = 0;
    if (worst) worst->clear();
    for (const std::string& n : names) {
        if (!a.count(n) || !b.count(n)) fail("output '", n, "': missing from one of the runs");
        const Tensor& x = a.at(n);
        const Tensor& y = b.at(n);
        if (x.shape != y.shape || x.dtype != y.dtype)
            fail("output '", n, "': shape ", shape_str(x.shape), " vs ", shape_str(y.shape));
        double d = 0;
        if (x.dtype == DType::f32) {
            for (int64_t k = 0, c = x.numel(); k < c; ++k) {
                float p = x.ptr<float>()[k], q = y.ptr<float>()[k];
                if (std::isnan(p) || std::isnan(q)) {
                    if (std::isnan(p) != std::isnan(q)) d = INFINITY;
                    continue;
                }
                d = std::max(d, p == q ? 0.0 : std::fabs(double(p) - double(q)));
            }
        } else if (std::memcmp(x.data, y.data, x.nbytes()) != 0) {
            d = INFINITY;
        }
        if (worst && (worst->empty() || d > out)) *worst = n;
        out = std::max(out, d);
    }
    return out;
}

}  // namespace hfx::selftest
