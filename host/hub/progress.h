// A download progress bar on stderr when stderr is a terminal (and logging is at info or more
// verbose); nothing at all otherwise, so logs and CI output carry no carriage-return noise.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace hfx::hub {

class Progress {
public:
    Progress(std::string name, int64_t total, int64_t done);
    ~Progress();
    void set(int64_t done);  // bytes so far (resumed bytes included)

private:
    void draw(bool last);
    std::string name_;
    int64_t total_, done_;
    bool shown_;
    std::chrono::steady_clock::time_point last_;
};

}  // namespace hfx::hub
