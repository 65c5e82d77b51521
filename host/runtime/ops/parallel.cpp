#define EIGEN_USE_THREADS
#include "runtime/ops/parallel.h"

#include <unsupported/Eigen/CXX11/ThreadPool>

#include <algorithm>
#include <exception>
#include <mutex>

namespace hfx::rt {
namespace {
thread_local Eigen::ThreadPoolInterface* t_pool = nullptr;
}

void set_thread_pool(Eigen::ThreadPoolInterface* pool) { t_pool = pool; }
Eigen::ThreadPoolInterface* thread_pool() { return t_pool; }
int parallel_threads() { return t_pool ? t_pool->NumThreads() + 1 : 1; }

void parallel_for(int64_t n, int64_t min_chunk, const std::function<void(int64_t, int64_t)>& f) {
    if (n <= 0) return;
    Eigen::ThreadPoolInterface* pool = t_pool;
    int64_t workers = pool ? int64_t(pool->NumThreads()) + 1 : 1;
    int64_t chunks = std::min(workers, std::max<int64_t>(1, n / std::max<int64_t>(1, min_chunk)));
    // Inside a pool worker (nested parallelism) run inline to avoid deadlock.
    if (chunks <= 1 || (pool && pool->CurrentThreadId() >= 0)) {
        f(0, n);
        return;
    }
    int64_t step = (n + chunks - 1) / chunks;
    chunks = (n + step - 1) / step;
    Eigen::Barrier barrier(unsigned(chunks - 1));
    std::exception_ptr error;
    std::mutex error_mutex;
    for (int64_t c = 1; c < chunks; ++c) {
        int64_t b = c * step, e = std::min(n, b + step);
        pool->Schedule([&, b, e] {
            try {
                f(b, e);
            } catch (...) {
                std::lock_guard<std::mutex> lock(error_mutex);
                if (!error) error = std::current_exception();
            }
            barrier.Notify();
        });
    }
    try {
        f(0, std::min(n, step));
    } catch (...) {
        barrier.Wait();
        throw;
    }
    barrier.Wait();
    if (error) std::rethrow_exception(error);
}

}  // namespace hfx::rt
