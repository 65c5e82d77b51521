// BufferPool: the memory a Session's runs allocate tensors from. Freed buffers
// go back to a free list by size and are handed out again, so in steady state
// (same shapes run after run) a run allocates nothing from the heap and touches
// no fresh pages. Buffers not reused during a whole run are released at its end,
// so a change of shapes does not keep the old sizes alive.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "core/tensor.h"

namespace hfx::rt {

class BufferPool final : public TensorAllocator {
public:
    BufferPool();
    ~BufferPool() override;
    BufferPool(const BufferPool&) = delete;
    BufferPool& operator=(const BufferPool&) = delete;

    std::shared_ptr<void> allocate(size_t bytes) override;
    void end_run();  // releases what the run now ending did not reuse

    struct Stats {
        int64_t heap_allocations = 0, reuses = 0;
        size_t cached_bytes = 0;
    };
    Stats stats() const;

private:
    struct State;
    std::shared_ptr<State> state_;  // shared with the deleters of buffers still out
};

// Installs `pool` as this thread's tensor allocator for its lifetime (restores the previous one).
class BufferPoolScope {
public:
    explicit BufferPoolScope(BufferPool* pool);
    ~BufferPoolScope();

private:
    TensorAllocator* previous_;
};

}  // namespace hfx::rt
