// Large float GEMMs take oneDNN's path when the build has it (runtime/ops/gemm_lib.h):
// its results must match a double-precision reference as our kernel's do, for every
// operand layout the runtime hands it, accumulating or not, with and without the pool.
#define EIGEN_USE_THREADS
#include <unsupported/Eigen/CXX11/ThreadPool>

#include "model_builder.h"

#include <cmath>
#include <limits>

#include "runtime/ops/gemm_lib.h"
#include "runtime/ops/gemm_util.h"
#include "runtime/ops/parallel.h"

using namespace hfx;
using namespace hfx::test;

namespace {
std::vector<float> values(size_t count, uint64_t seed) {
    std::vector<float> v(count);
    for (size_t i = 0; i < count; ++i) v[i] = float((i * 7919 + seed * 104729) % 29) / 29.f - 0.5f;
    return v;
}

// C = alpha op(A) op(B) + beta C in double, row-major.
std::vector<double> reference(int64_t m, int64_t n, int64_t k, const std::vector<float>& a, bool ta,
                              const std::vector<float>& b, bool tb, const std::vector<float>& c, double alpha,
                              double beta) {
    std::vector<double> out(size_t(m * n));
    for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
            double s = 0;
            for (int64_t p = 0; p < k; ++p)
                s += double(a[size_t(ta ? p * m + i : i * k + p)]) * double(b[size_t(tb ? j * k + p : p * n + j)]);
            out[size_t(i * n + j)] = alpha * s + (beta != 0 ? beta * double(c[size_t(i * n + j)]) : 0.0);
        }
    return out;
}

double worst(const float* got, const std::vector<double>& want) {
    double w = 0;
    for (size_t i = 0; i < want.size(); ++i) w = std::max(w, std::fabs(double(got[i]) - want[i]));
    return std::isnan(w) ? INFINITY : w;
}

// Runs the body once without a pool and once with a pool of 2 threads (one column panel each).
template <class F>
void with_and_without_pool(F body) {
    body(1);
    Eigen::ThreadPool pool(1);
    rt::set_thread_pool(&pool);
    body(2);
    rt::set_thread_pool(nullptr);
}
}  // namespace

TEST(GemmLib, SgemmMatchesDoubleReference) {
    if (!rt::lib::enabled()) GTEST_SKIP() << "built without oneDNN (or HFX_GEMM_LIB=0)";
    with_and_without_pool([](int threads) {
        for (auto [m, n, k] : {std::tuple<int64_t, int64_t, int64_t>{130, 260, 300}, {300, 1000, 513}}) {
            std::vector<float> a = values(size_t(m * k), 1), b = values(size_t(n * k), 2),
                               c0 = values(size_t(m * n), 3);
            for (bool ta : {false, true})
                for (bool tb : {false, true})
                    for (bool acc : {false, true}) {
                        // Without acc, C starts as NaN: the library must not read it.
                        std::vector<float> c =
                            acc ? c0 : std::vector<float>(c0.size(), std::numeric_limits<float>::quiet_NaN());
                        ASSERT_TRUE(rt::lib::sgemm(m, n, k, a.data(), ta, b.data(), tb, c.data(), 0.5f, acc));
                        auto want = reference(m, n, k, a, ta, b, tb, c0, 0.5, acc ? 1.0 : 0.0);
                        EXPECT_LT(worst(c.data(), want), 1e-3)
                            << "threads=" << threads << " m=" << m << " n=" << n << " k=" << k << " ta=" << ta
                            << " tb=" << tb << " acc=" << acc;
                    }
        }
    });
}

// A Linear weight reordered once: every row count runs the matmul primitive, until the
// weight holds primitives for 16 row counts; the 17th and later fall back to our kernel on
// the weight as stored.
TEST(GemmLib, ReorderedWeightMatchesDoubleReference) {
    if (!rt::lib::enabled()) GTEST_SKIP() << "built without oneDNN (or HFX_GEMM_LIB=0)";
    with_and_without_pool([](int threads) {
        for (auto [n, k] : {std::pair<int64_t, int64_t>{260, 300}, {768, 768}})
            for (bool tb : {true, false}) {
                std::vector<float> b = values(size_t(n * k), 4);
                auto packed = rt::pack_b(b.data(), tb, n, k);
                EXPECT_TRUE(packed->lib) << "n=" << n << " k=" << k;
                std::vector<int64_t> rows = {1, 5, 64, 300};
                for (int64_t m = 6; m < 20; ++m) rows.push_back(m);  // 18 row counts in all
                for (int64_t m : rows) {
                    std::vector<float> a = values(size_t(m * k), 5), c0 = values(size_t(m * n), 6);
                    for (bool acc : {false, true}) {
                        std::vector<float> c =
                            acc ? c0 : std::vector<float>(c0.size(), std::numeric_limits<float>::quiet_NaN());
                        rt::gemm_packed(m, a.data(), *packed, c.data(), acc);
                        auto want = reference(m, n, k, a, false, b, tb, c0, 1.0, acc ? 1.0 : 0.0);
                        EXPECT_LT(worst(c.data(), want), 1e-3) << "threads=" << threads << " m=" << m << " n=" << n
                                                               << " k=" << k << " tb=" << tb << " acc=" << acc;
                    }
                }
            }
    });
}

// The Gemm op (alpha, beta, broadcast bias C, transposed operands) at a size the library takes.
TEST(GemmLib, GemmOpWithBiasAlphaBetaTransposes) {
    const int64_t m = 160, n = 320, k = 256;
    for (bool ta : {false, true})
        for (bool tb : {false, true}) {
            std::vector<float> a = values(size_t(m * k), 7), b = values(size_t(n * k), 8), bias = values(size_t(n), 9);
            Attrs attrs{{"transA", int_attr(ta)}, {"transB", int_attr(tb)}};
            Attr alpha, beta;
            alpha.kind = beta.kind = Attr::Float;
            alpha.f = 0.75f;
            beta.f = 2.f;
            attrs["alpha"] = alpha;
            attrs["beta"] = beta;
            rt::Session s(one_node("Gemm", 13, {"a", "b", "c"}, {}, 1, attrs), rt::SessionOptions{2});
            Tensor y = s.run({}, {{"a", f32(ta ? Shape{k, m} : Shape{m, k}, a)},
                                  {"b", f32(tb ? Shape{n, k} : Shape{k, n}, b)},
                                  {"c", f32({n}, bias)}})[0];
            std::vector<float> c_full(size_t(m * n));
            for (int64_t i = 0; i < m * n; ++i) c_full[size_t(i)] = bias[size_t(i % n)];
            auto want = reference(m, n, k, a, ta, b, tb, c_full, 0.75, 2.0);
            ASSERT_EQ(shape_str(y.shape), shape_str({m, n}));
            EXPECT_LT(worst(y.ptr<float>(), want), 1e-3) << "ta=" << ta << " tb=" << tb;
        }
}

// A session's Linear step (MatMul with a constant weight + bias) packs its weight on the
// second multi-row run; every run, before and after, and a few-row run agree.
TEST(GemmLib, LinearStepMatchesDoubleReference) {
    const int64_t n = 384, k = 256;
    std::vector<float> w = values(size_t(k * n), 10), bias = values(size_t(n), 11);
    Model model = one_node("MatMul", 13, {"x", "w"}, {{"w", f32({k, n}, w)}});
    model.nodes[0].outputs = {"xw"};
    add_node(model, "Add", {"xw", "bias"}, "y0");
    model.initializers["bias"] = f32({n}, bias);
    rt::Session s(std::move(model), rt::SessionOptions{2});
    for (int64_t m : {200, 200, 200, 3, 200}) {
        std::vector<float> x = values(size_t(m * k), uint64_t(m));
        Tensor y = s.run({}, {{"x", f32({m, k}, x)}})[0];
        std::vector<float> c_full(size_t(m * n));
        for (int64_t i = 0; i < m * n; ++i) c_full[size_t(i)] = bias[size_t(i % n)];
        auto want = reference(m, n, k, x, false, w, false, c_full, 1.0, 1.0);
        EXPECT_LT(worst(y.ptr<float>(), want), 1e-3) << "m=" << m;
    }
}
