#include "core/staged_files.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/error.h"

namespace hfx {
namespace {

// The registry the signal handler walks: fixed storage (a handler may not
// allocate or lock), each slot free (0), being filled (1) or live (2).
constexpr int kSlots = 256;
constexpr size_t kPathBytes = 4096;
struct Slot {
    std::atomic<int> state{0};
    char path[kPathBytes];
};
Slot g_slots[kSlots];

int register_path(const std::string& path) {
    if (path.size() >= kPathBytes) return -1;
    for (int i = 0; i < kSlots; ++i) {
        int expected = 0;
        if (!g_slots[i].state.compare_exchange_strong(expected, 1)) continue;
        std::memcpy(g_slots[i].path, path.c_str(), path.size() + 1);
        g_slots[i].state.store(2);
        return i;
    }
    return -1;  // more than kSlots files at once: still removed on errors, not on signals
}

void unregister_path(int slot) {
    if (slot >= 0) g_slots[slot].state.store(0);
}

void on_signal(int sig) {
    for (auto& s : g_slots)
        if (s.state.load() == 2) ::unlink(s.path);
    ::signal(sig, SIG_DFL);
    ::raise(sig);
}

thread_local StagedFiles* t_current = nullptr;

}  // namespace

StagedFiles::StagedFiles() : outer_(t_current) {
    if (!outer_) t_current = this;
}

StagedFiles::~StagedFiles() {
    if (outer_) return;
    t_current = nullptr;
    for (const File& f : files_) {
        if (!committed_) std::remove(f.temp.c_str());
        unregister_path(f.slot);
    }
}

std::string StagedFiles::add(const std::string& final_path) {
    if (outer_) return outer_->add(final_path);
    for (const File& f : files_)
        if (f.final_path == final_path) return f.temp;  // written again (config.json of each --split file)
    std::string temp = final_path + ".tmp-" + std::to_string(::getpid());
    files_.push_back({temp, final_path, register_path(temp)});
    return temp;
}

void StagedFiles::commit() {
    if (outer_ || committed_) return;
    for (size_t k = 0; k < files_.size(); ++k) {
        File& f = files_[k];
        std::error_code ec;
        std::filesystem::rename(f.temp, f.final_path, ec);
        if (ec) {
            // All or nothing: the files already renamed go too (the rest by the destructor).
            for (size_t j = 0; j < k; ++j) std::remove(files_[j].final_path.c_str());
            fail("output '", f.final_path, "': cannot rename into place (", ec.message(), ")");
        }
        unregister_path(f.slot);
        f.slot = -1;
    }
    committed_ = true;
}

void install_staged_files_signal_cleanup() {
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
}

}  // namespace hfx
