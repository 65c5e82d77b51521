#include "runtime/profile.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace hfx::rt {

bool Profile::requested() {
    const char* prof = std::getenv("HFX_PROFILE");
    return prof && *prof && std::string(prof) != "0";
}

void Profile::record(const std::string& op, double ms) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& e = ms_[op];
    e.first += ms;
    e.second += 1;
}

void Profile::print(const BufferPool::Stats& b) const {
    std::lock_guard<std::mutex> lock(mutex_);
    if (ms_.empty()) return;
    double total = 0;
    for (const auto& [op, e] : ms_) total += e.first;
    std::vector<std::pair<double, std::string>> rows;
    for (const auto& [op, e] : ms_) rows.emplace_back(e.first, op);
    std::sort(rows.rbegin(), rows.rend());
    std::fprintf(stderr, "[profile] %.1f ms in ops; tensors: %lld from the heap, %lld reused\n", total,
                 (long long)b.heap_allocations, (long long)b.reuses);
    for (const auto& [ms, op] : rows)
        std::fprintf(stderr, "[profile] %-22s %9.1f ms %5.1f%% %6lld calls\n", op.c_str(), ms, 100 * ms / total,
                     (long long)ms_.at(op).second);
}

}  // namespace hfx::rt
