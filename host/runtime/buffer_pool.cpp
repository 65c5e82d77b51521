#include "runtime/buffer_pool.h"

#include <cstdlib>

#include "core/error.h"

namespace hfx::rt {

namespace {
thread_local TensorAllocator* t_current = nullptr;  // mirrors set_thread_tensor_allocator for scopes
}

struct BufferPool::State {
    struct Entry {
        void* p;
        uint64_t returned_in;  // the run during which it came back
    };
    mutable std::mutex mutex;
    std::map<size_t, std::vector<Entry>> free;  // rounded size -> buffers
    uint64_t run = 0;
    bool alive = true;
    Stats stats;
};

BufferPool::BufferPool() : state_(std::make_shared<State>()) {}

BufferPool::~BufferPool() {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->alive = false;  // buffers still out are freed by their deleters
    for (auto& [size, list] : state_->free)
        for (auto& e : list) std::free(e.p);
    state_->free.clear();
}

std::shared_ptr<void> BufferPool::allocate(size_t bytes) {
    size_t size = ((bytes + 63) / 64) * 64 + 64;
    void* p = nullptr;
    {
        std::lock_guard<std::mutex> lock(state_->mutex);
        auto it = state_->free.find(size);
        if (it != state_->free.end() && !it->second.empty()) {
            p = it->second.back().p;
            it->second.pop_back();
            state_->stats.cached_bytes -= size;
            ++state_->stats.reuses;
        } else {
            ++state_->stats.heap_allocations;
        }
    }
    if (!p) p = std::aligned_alloc(64, size);
    if (!p) fail("tensor: out of memory allocating ", std::to_string(bytes), " bytes");
    std::shared_ptr<State> st = state_;
    return std::shared_ptr<void>(p, [st, size](void* q) {
        std::lock_guard<std::mutex> lock(st->mutex);
        if (!st->alive) return std::free(q);
        st->free[size].push_back({q, st->run});
        st->stats.cached_bytes += size;
    });
}

void BufferPool::end_run() {
    std::lock_guard<std::mutex> lock(state_->mutex);
    for (auto it = state_->free.begin(); it != state_->free.end();) {
        auto& list = it->second;
        size_t kept = 0;
        for (auto& e : list) {
            if (e.returned_in < state_->run) {
                std::free(e.p);
                state_->stats.cached_bytes -= it->first;
            } else {
                list[kept++] = e;
            }
        }
        list.resize(kept);
        it = list.empty() ? state_->free.erase(it) : std::next(it);
    }
    ++state_->run;
}

BufferPool::Stats BufferPool::stats() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->stats;
}

BufferPoolScope::BufferPoolScope(BufferPool* pool) : previous_(t_current) {
    t_current = pool;
    set_thread_tensor_allocator(pool);
}

BufferPoolScope::~BufferPoolScope() {
    t_current = previous_;
    set_thread_tensor_allocator(previous_);
}

}  // namespace hfx::rt
