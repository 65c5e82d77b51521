#include "runtime/ops/broadcast.h"

namespace hfx::rt {

Shape broadcast_shape(const KernelContext& ctx, const std::vector<Shape>& shapes) {
    size_t rank = 0;
    for (const auto& s : shapes) rank = std::max(rank, s.size());
    Shape out(rank, 1);
    for (const auto& s : shapes) {
        size_t pad = rank - s.size();
        for (size_t i = 0; i < s.size(); ++i) {
            int64_t& o = out[pad + i];
            int64_t d = s[i];
            if (d == o || d == 1) continue;
            if (o == 1) {
                o = d;
                continue;
            }
            std::string all;
            for (const auto& t : shapes) all += (all.empty() ? "" : " and ") + shape_str(t);
            ctx.fail("cannot broadcast shapes ", all);
        }
    }
    return out;
}

std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out) {
    std::vector<int64_t> st(out.size(), 0);
    size_t pad = out.size() - in.size();
    int64_t s = 1;
    for (int64_t i = int64_t(in.size()) - 1; i >= 0; --i) {
        size_t u = size_t(i);
        st[pad + u] = in[u] == 1 ? 0 : s;
        s *= in[u];
    }
    return st;
}

}  // namespace hfx::rt
