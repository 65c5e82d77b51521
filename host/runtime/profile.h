// Profile: HFX_PROFILE=1 makes a session time every step by op type (fused steps by
// their fused name) and print the table to stderr when the session ends.
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "runtime/buffer_pool.h"

namespace hfx::rt {

class Profile {
public:
    // Whether HFX_PROFILE asks for profiles (set and not "0").
    static bool requested();
    void record(const std::string& op, double ms);
    // The table, slowest op first, with the run-time tensor allocations.
    void print(const BufferPool::Stats& buffers) const;

private:
    mutable std::mutex mutex_;
    std::map<std::string, std::pair<double, int64_t>> ms_;  // op -> (ms, calls)
};

}  // namespace hfx::rt
