#include "runtime/ops/strided.h"

#include <cstring>

namespace hfx::rt {
namespace {
template <class T>
void copy_typed(const Tensor& in, int64_t base, const std::vector<int64_t>& st, Tensor& out) {
    const T* src = in.ptr<T>();
    T* dst = out.ptr<T>();
    const Shape& s = out.shape;
    size_t rank = s.size();
    int64_t total = out.numel();
    if (total == 0) return;
    if (rank == 0) {
        dst[0] = src[base];
        return;
    }
    int64_t inner = s[rank - 1], is = st[rank - 1];
    std::vector<int64_t> idx(rank, 0);
    int64_t off = base;
    for (int64_t o = 0; o < total; o += inner) {
        if (is == 1) {
            std::memcpy(dst + o, src + off, size_t(inner) * sizeof(T));
        } else {
            for (int64_t j = 0; j < inner; ++j) dst[o + j] = src[off + j * is];
        }
        for (int64_t d = int64_t(rank) - 2; d >= 0; --d) {
            size_t u = size_t(d);
            ++idx[u];
            off += st[u];
            if (idx[u] < s[u]) break;
            off -= st[u] * idx[u];
            idx[u] = 0;
        }
    }
}
}  // namespace

void strided_copy(const Tensor& in, int64_t base, const std::vector<int64_t>& st, Tensor& out) {
    switch (dtype_size(in.dtype)) {
        case 1:
            return copy_typed<uint8_t>(in, base, st, out);
        case 2:
            return copy_typed<uint16_t>(in, base, st, out);
        case 4:
            return copy_typed<uint32_t>(in, base, st, out);
        case 8:
            return copy_typed<uint64_t>(in, base, st, out);
        default:
            fail("tensor: unsupported dtype ", dtype_name(in.dtype));
    }
}

}  // namespace hfx::rt
