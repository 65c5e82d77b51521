#include "runtime/ops/gemm_util.h"

#include <Eigen/Core>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <type_traits>

#include "runtime/ops/gemm_isa.h"
#include "runtime/ops/parallel.h"

namespace hfx::rt {
namespace {
template <class T>
using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using MatC = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;

// Rows [r0, r1) of C.
template <class T>
void gemm_rows(int64_t r0, int64_t r1, int64_t n, int64_t k, const T* a, bool ta, int64_t m, const T* b, bool tb, T* c,
               T alpha, bool acc) {
    int64_t rows = r1 - r0;
    Eigen::Map<Mat<T>> C(c + r0 * n, rows, n);
    auto run = [&](const auto& A) {
        if (tb) {
            Eigen::Map<const Mat<T>> B(b, n, k);
            if (acc) C.noalias() += alpha * A * B.transpose();
            else C.noalias() = alpha * A * B.transpose();
        } else {
            Eigen::Map<const Mat<T>> B(b, k, n);
            if (acc) C.noalias() += alpha * A * B;
            else C.noalias() = alpha * A * B;
        }
    };
    if constexpr (std::is_same_v<T, float>) {  // the per-ISA kernel
        isa::sgemm()(rows, n, k, ta ? a + r0 : a + r0 * k, ta, ta ? m : k, b, tb, tb ? k : n, c + r0 * n, n, alpha,
                     acc);
        return;
    }
    if (ta) {  // A stored [k, m]: rows r0..r1 of A^T are columns of it
        Eigen::Map<const Mat<T>, 0, Eigen::OuterStride<>> At(a + r0, k, rows, Eigen::OuterStride<>(m));
        run(At.transpose());
    } else {
        Eigen::Map<const Mat<T>> A(a + r0 * k, rows, k);
        run(A);
    }
}
}  // namespace

namespace isa {
namespace {
bool supports(const std::string& name) {
#if !defined(__x86_64__)
    return name == "base";
#endif
    __builtin_cpu_init();
    if (name == "avx512")
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") && supports("avx2");
    if (name == "avx2") return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return name == "base";
}
struct Choice {
    SgemmFn fn;
    const char* name;
    GeluFn gelu;
    LayerNormFn layernorm;
    SoftmaxFn softmax;
    PackedInfoFn packed_info;
    PackFn pack_b;
    SgemmPackedFn sgemm_packed;
};
Choice choose() {
    const char* forced = std::getenv("HFX_GEMM_ISA");
    static const Choice all[] = {
        {sgemm_avx512, "avx512", gelu_avx512, layernorm_avx512, softmax_avx512, packed_info_avx512, pack_b_avx512,
         sgemm_packed_avx512},
        {sgemm_avx2, "avx2", gelu_avx2, layernorm_avx2, softmax_avx2, packed_info_avx2, pack_b_avx2, sgemm_packed_avx2},
        {sgemm_base, "base", gelu_base, layernorm_base, softmax_base, packed_info_base, pack_b_base,
         sgemm_packed_base}};
    for (const Choice& c : all)
        if (supports(c.name) && (!forced || !*forced || std::strcmp(forced, c.name) == 0)) return c;
    return all[2];
}
const Choice& chosen() {
    static const Choice c = choose();
    return c;
}
}  // namespace
SgemmFn sgemm() { return chosen().fn; }
PackedInfoFn packed_info() { return chosen().packed_info; }
PackFn pack_b() { return chosen().pack_b; }
SgemmPackedFn sgemm_packed() { return chosen().sgemm_packed; }
GeluFn gelu() { return chosen().gelu; }
LayerNormFn layernorm() { return chosen().layernorm; }
SoftmaxFn softmax() { return chosen().softmax; }
const char* sgemm_isa() { return chosen().name; }
}  // namespace isa

template <class T>
void gemm(int64_t m, int64_t n, int64_t k, const T* a, bool ta, const T* b, bool tb, T* c, T alpha, bool acc) {
    if (m == 0 || n == 0) return;
    if (k == 0) {
        if (!acc) std::fill(c, c + m * n, T(0));
        return;
    }
    if constexpr (std::is_same_v<T, float>) {
        if (lib::sgemm(m, n, k, a, ta, b, tb, c, alpha, acc)) return;
        // Eigen packs the right operand as its "LHS" once per call; when it is the larger one
        // (a weight matrix against few rows), each thread takes a block of its columns, so the
        // threads share the packing instead of each packing all of it.
        if (n >= m && n >= 64) {
            int64_t blocks = (n + 15) / 16;  // column blocks of 16 (one AVX-512 register)
            int64_t min_blocks = std::max<int64_t>(1, 32768 / std::max<int64_t>(1, m * k * 16));
            auto fn = isa::sgemm();
            parallel_for(blocks, min_blocks, [&](int64_t b0, int64_t b1) {
                int64_t c0 = b0 * 16, c1 = std::min(n, b1 * 16);
                fn(m, c1 - c0, k, a, ta, ta ? m : k, tb ? b + c0 * k : b + c0, tb, tb ? k : n, c + c0, n, alpha, acc);
            });
            return;
        }
    }
    // Enough rows per chunk that each chunk is worth a thread (~32k multiply-adds).
    int64_t min_rows = std::max<int64_t>(1, 32768 / std::max<int64_t>(1, n * k));
    parallel_for(m, min_rows, [&](int64_t r0, int64_t r1) { gemm_rows(r0, r1, n, k, a, ta, m, b, tb, c, alpha, acc); });
}

template <class T>
void gemm_batch(int64_t count, int64_t m, int64_t n, int64_t k, const T* const* a, const T* const* b, T* const* c) {
    if (count == 1) return gemm<T>(m, n, k, a[0], false, b[0], false, c[0]);
    int64_t min_items = std::max<int64_t>(1, 32768 / std::max<int64_t>(1, m * n * k));
    parallel_for(count, min_items, [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; ++i) {
            if (k == 0) {
                std::fill(c[i], c[i] + m * n, T(0));
                continue;
            }
            if constexpr (std::is_same_v<T, float>) {
                isa::sgemm()(m, n, k, a[i], false, k, b[i], false, n, c[i], n, 1.f, false);
                continue;
            }
            Eigen::Map<Mat<T>> C(c[i], m, n);
            C.noalias() = Eigen::Map<const Mat<T>>(a[i], m, k) * Eigen::Map<const Mat<T>>(b[i], k, n);
        }
    });
}

std::shared_ptr<const PackedB> pack_b(const float* b, bool trans_b, int64_t n, int64_t k, bool use_lib) {
    auto p = std::make_shared<PackedB>();
    p->n = n;
    p->k = k;
    p->source = b;
    p->trans_b = trans_b;
    if (use_lib && (p->lib = lib::prepare(b, trans_b, n, k))) {
        p->bytes = lib::weight_bytes(*p->lib);
        return p;
    }
    p->info = isa::packed_info()(n, k);
    int64_t total = 0;
    for (int64_t i2 = 0; i2 < n; i2 += p->info.mc)
        for (int64_t k2 = 0; k2 < k; k2 += p->info.kc) {
            p->offsets.push_back(total);
            int64_t size = std::min(p->info.mc, n - i2) * std::min(p->info.kc, k - k2);
            total += (size + 15) / 16 * 16;  // each block 64-byte aligned
        }
    float* data = static_cast<float*>(std::aligned_alloc(64, size_t(std::max<int64_t>(total, 16)) * sizeof(float)));
    if (!data) throw std::bad_alloc();
    p->data = std::shared_ptr<float>(data, std::free);
    p->bytes = size_t(total) * sizeof(float);
    isa::pack_b()(b, trans_b, trans_b ? k : n, n, k, p->info, p->offsets.data(), data);
    return p;
}

void gemm_packed(int64_t m, const float* a, const PackedB& b, float* c, bool accumulate) {
    int64_t n = b.n, k = b.k;
    if (m == 0 || n == 0) return;
    if (b.lib) {
        if (!lib::matmul(m, a, *b.lib, c, accumulate))
            gemm<float>(m, n, k, a, false, b.source, b.trans_b, c, 1.f, accumulate);
        return;
    }
    if (!accumulate) std::fill(c, c + m * n, 0.f);
    if (k == 0) return;
    auto fn = isa::sgemm_packed();
    const float* packed = b.data.get();
    const int64_t* offsets = b.offsets.data();
    int64_t mr = b.info.mr;
    // As many rows as columns or fewer (a weight against few tokens, where streaming B from
    // memory is the cost): the threads take column panels, each reading its share of B and
    // packing all of A; otherwise each takes a block of rows and reads all of B.
    if (n >= m) {
        int64_t panels = (n + mr - 1) / mr;
        int64_t min_panels = std::max<int64_t>(1, 32768 / std::max<int64_t>(1, m * k * mr));
        parallel_for(panels, min_panels, [&](int64_t p0, int64_t p1) {
            fn(m, p0 * mr, std::min(n, p1 * mr), n, k, a, k, packed, offsets, b.info, c, n);
        });
        return;
    }
    int64_t min_rows = std::max<int64_t>(8, 32768 / std::max<int64_t>(1, n * k));
    parallel_for(m, min_rows, [&](int64_t r0, int64_t r1) {
        fn(r1 - r0, 0, n, n, k, a + r0 * k, k, packed, offsets, b.info, c + r0 * n, n);
    });
}

#define HFX_GEMM(T)                                                                                \
    template void gemm<T>(int64_t, int64_t, int64_t, const T*, bool, const T*, bool, T*, T, bool); \
    template void gemm_batch<T>(int64_t, int64_t, int64_t, int64_t, const T* const*, const T* const*, T* const*);
HFX_GEMM(float)
HFX_GEMM(double)
HFX_GEMM(int32_t)
HFX_GEMM(int64_t)
HFX_GEMM(uint32_t)
HFX_GEMM(uint64_t)

}  // namespace hfx::rt
