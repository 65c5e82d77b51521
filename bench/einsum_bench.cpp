// Einsum micro-benchmark: the attention-shaped equations transformer graphs use,
// run through a one-node Session (2 threads). Prints one JSON line per equation.
//   build/bench/hfx_einsum_bench [repeat]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "core/ir.h"
#include "runtime/session.h"

using namespace hfx;

namespace {
Tensor random(Shape s, std::mt19937& rng) {
    Tensor t = Tensor::empty(DType::f32, std::move(s));
    std::uniform_real_distribution<float> d(-1, 1);
    for (int64_t i = 0; i < t.numel(); ++i) t.ptr<float>()[i] = d(rng);
    return t;
}
}  // namespace

int main(int argc, char** argv) {
    int repeat = argc > 1 ? std::atoi(argv[1]) : 10;
    struct Case {
        const char* eq;
        Shape a, b;
    };
    // batch 1, 12 heads, 128 tokens, head size 64
    std::vector<Case> cases = {{"bhid,bhjd->bhij", {1, 12, 128, 64}, {1, 12, 128, 64}},
                               {"bhij,bhjd->bhid", {1, 12, 128, 128}, {1, 12, 128, 64}},
                               {"bind,bjnd->bnij", {1, 128, 12, 64}, {1, 128, 12, 64}}};
    std::mt19937 rng(1);
    for (const auto& c : cases) {
        Model m;
        m.opsets[""] = 17;
        Node n;
        n.op = "Einsum";
        n.name = "einsum";
        n.inputs = {"a", "b"};
        n.outputs = {"y"};
        Attr eq;
        eq.kind = Attr::String;
        eq.s = c.eq;
        n.attrs["equation"] = eq;
        m.nodes.push_back(n);
        m.inputs = {ValueInfo{"a", DType::f32, {}, {}}, ValueInfo{"b", DType::f32, {}, {}}};
        m.outputs = {ValueInfo{"y", DType::f32, {}, {}}};
        rt::Session s(std::move(m), rt::SessionOptions{2});
        std::map<std::string, Tensor> feeds = {{"a", random(c.a, rng)}, {"b", random(c.b, rng)}};
        s.run({}, feeds);
        std::vector<double> ms;
        for (int r = 0; r < repeat; ++r) {
            auto t0 = std::chrono::steady_clock::now();
            s.run({}, feeds);
            ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        }
        std::sort(ms.begin(), ms.end());
        std::printf(
            "{\"bench\":\"einsum\",\"equation\":\"%s\",\"threads\":2,\"repeat\":%d,\"median_ms\":%.3f,\"min_ms\":%.3f}"
            "\n",
            c.eq, repeat, ms[ms.size() / 2], ms[0]);
    }
}
