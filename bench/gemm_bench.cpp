// GEMM micro-benchmark: our packed AVX-512 kernel (what a Linear step runs) against oneDNN,
// called as dnnl_sgemm and as the matmul primitive on weights reordered once
// (runtime/ops/gemm_lib.h), on bert-base's Linear shapes: C[m x n] = A[m x k] W^T, W [n x k].
// One JSON line per shape on stdout; times are the best of R runs (the least disturbed by
// other work on the machine) and the median.
//   build/bench/hfx_gemm_bench [--threads T] [--repeat R] [--rows M,M,...]
#define EIGEN_USE_THREADS
#include <unsupported/Eigen/CXX11/ThreadPool>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/ops/gemm_lib.h"
#include "runtime/ops/gemm_util.h"
#include "runtime/ops/parallel.h"

using namespace hfx::rt;

namespace {
struct Time {
    double best = NAN, median = NAN;
};
Time time_it(int repeat, const std::function<bool()>& f) {
    if (!f()) return {};  // warm-up (and primitive creation); false: the path declined
    std::vector<double> ms;
    for (int r = 0; r < repeat; ++r) {
        auto t0 = std::chrono::steady_clock::now();
        f();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    return {ms.front(), ms[ms.size() / 2]};
}
std::string num(double v) {
    if (std::isnan(v)) return "null";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    return buf;
}
}  // namespace

int main(int argc, char** argv) {
    int threads = 2, repeat = 20;
    std::vector<int64_t> rows = {1, 4, 16, 32, 64, 128, 1024};
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--repeat")) repeat = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--rows")) {
            rows.clear();
            std::stringstream ss(argv[i + 1]);
            for (std::string r; std::getline(ss, r, ',');) rows.push_back(std::stoll(r));
        }
    }
    if (threads < 1 || repeat < 1) {
        std::fprintf(stderr, "usage: hfx_gemm_bench [--threads T] [--repeat R] [--rows M,M,...]\n");
        return 1;
    }
    setenv("HFX_GEMM_LIB_MIN_ROWS", "1", 0);  // every row count through oneDNN, to find where it pays
    Eigen::ThreadPool pool(threads - 1);
    if (threads > 1) set_thread_pool(&pool);
    const int64_t shapes[][2] = {{768, 768}, {3072, 768}, {768, 3072}};  // (n, k): attention, FFN up, FFN down
    std::mt19937 rng(1);
    std::normal_distribution<float> dist(0, 1);
    for (auto [n, k] : shapes) {
        std::vector<float> w(size_t(n * k));
        for (auto& x : w) x = dist(rng);
        auto ours = pack_b(w.data(), true, n, k, false);
        auto lib_w = lib::prepare(w.data(), true, n, k);
        for (int64_t m : rows) {
            std::vector<float> a(size_t(m * k)), c(size_t(m * n));
            for (auto& x : a) x = dist(rng);
            Time t_ours = time_it(repeat, [&] {
                gemm_packed(m, a.data(), *ours, c.data(), false);
                return true;
            });
            Time t_sgemm = time_it(
                repeat, [&] { return lib::sgemm(m, n, k, a.data(), false, w.data(), true, c.data(), 1.f, false); });
            Time t_mm = time_it(repeat, [&] { return lib_w && lib::matmul(m, a.data(), *lib_w, c.data(), false); });
            double gflop = 2.0 * double(m) * double(n) * double(k) * 1e-6;  // per ms -> GFLOP/s
            std::printf(
                "{\"bench\":\"gemm\",\"m\":%lld,\"n\":%lld,\"k\":%lld,\"threads\":%d,\"repeat\":%d,"
                "\"ours_ms\":%s,\"dnnl_sgemm_ms\":%s,\"dnnl_matmul_ms\":%s,"
                "\"ours_median_ms\":%s,\"dnnl_sgemm_median_ms\":%s,\"dnnl_matmul_median_ms\":%s,"
                "\"ours_gflops\":%s,\"dnnl_matmul_gflops\":%s}\n",
                (long long)m, (long long)n, (long long)k, threads, repeat, num(t_ours.best).c_str(),
                num(t_sgemm.best).c_str(), num(t_mm.best).c_str(), num(t_ours.median).c_str(),
                num(t_sgemm.median).c_str(), num(t_mm.median).c_str(), num(gflop / t_ours.best).c_str(),
                num(gflop / t_mm.best).c_str());
            std::fflush(stdout);
        }
    }
    set_thread_pool(nullptr);
    return 0;
}
