#include "hub/progress.h"

#include <unistd.h>

#include <cstdio>
#include <spdlog/spdlog.h>

namespace hfx::hub {

Progress::Progress(std::string name, int64_t total, int64_t done)
    : name_(std::move(name)), total_(total), done_(done),
      shown_(::isatty(STDERR_FILENO) && spdlog::get_level() <= spdlog::level::info) {
    if (shown_) draw(false);
}

Progress::~Progress() {
    if (shown_) draw(true);
}

void Progress::set(int64_t done) {
    done_ = done;
    if (!shown_) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100)) return;
    draw(false);
}

void Progress::draw(bool last) {
    last_ = std::chrono::steady_clock::now();
    double mb = double(done_) / 1e6, total_mb = double(total_) / 1e6;
    int pct = total_ > 0 ? int(100.0 * double(done_) / double(total_)) : 0;
    std::fprintf(stderr, "\rDownloading %s: %3d%% %.1f/%.1f MB%s", name_.c_str(), pct, mb, total_mb, last ? "\n" : "");
    std::fflush(stderr);
}

}  // namespace hfx::hub
