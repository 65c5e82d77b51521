// The session's thread pool as seen by kernels: Session::run installs it for
// the calling thread, heavy kernels (MatMul, Gemm, Conv) split work with it.
#pragma once
#include <cstdint>
#include <functional>

namespace Eigen {
class ThreadPoolInterface;
}

namespace hfx::rt {

// Sets the pool used by parallel_for on this thread (nullptr = run inline).
void set_thread_pool(Eigen::ThreadPoolInterface* pool);
Eigen::ThreadPoolInterface* thread_pool();  // the one installed on this thread
// Threads parallel_for can use on this thread: the pool's plus the caller (1 without a pool).
int parallel_threads();

// Runs f(begin, end) over [0, n) in contiguous chunks, in parallel when a pool
// is installed and there are at least `min_chunk` items per chunk.
void parallel_for(int64_t n, int64_t min_chunk, const std::function<void(int64_t, int64_t)>& f);

}  // namespace hfx::rt
