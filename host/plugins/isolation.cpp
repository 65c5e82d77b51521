#include "plugins/isolation.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace hfx {

bool plugin_isolation_enabled() {
    const char* e = std::getenv("HFEXPORT_PLUGIN_ISOLATION");
    return !(e && std::string(e) == "0");
}

double plugin_timeout_seconds() {
    if (const char* e = std::getenv("HFEXPORT_PLUGIN_TIMEOUT")) {
        char* end = nullptr;
        double s = std::strtod(e, &end);
        if (end != e && s > 0) return s;
    }
    return 60.0;
}

namespace {

// The child's report: one status byte ('0' fine, '1' a problem follows), then the message.
[[noreturn]] void child_main(int fd, const std::function<std::string()>& work) {
    std::string message;
    try {
        message = work();
    } catch (const std::exception& e) {
        message = e.what();
        if (message.empty()) message = "threw an exception";
    } catch (...) {
        message = "threw an exception";
    }
    std::string report = (message.empty() ? "0" : "1") + message.substr(0, 4000);
    const char* p = report.data();
    size_t left = report.size();
    while (left > 0) {
        ssize_t n = ::write(fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        p += n, left -= size_t(n);
    }
    ::_exit(0);  // no atexit handlers, no static destructors: the parent owns those
}

std::string describe_death(int status) {
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        const char* name = strsignal(sig);
        return "crashed (signal " + std::to_string(sig) + ", " + (name ? name : "unknown") + ")";
    }
    if (WIFEXITED(status)) return "called exit(" + std::to_string(WEXITSTATUS(status)) + ")";
    return "ended abnormally";
}

}  // namespace

ChildOutcome run_in_child(const std::function<std::string()>& work, double timeout_s) {
    int fds[2];
    if (::pipe(fds) != 0)
        return {false, false, false, std::string("cannot create a pipe (") + std::strerror(errno) + ")"};
    std::fflush(stdout);  // else a plugin's exit() in the child would flush our buffers a second time
    std::fflush(stderr);
    pid_t pid = ::fork();
    if (pid < 0) {
        ::close(fds[0]), ::close(fds[1]);
        return {false, false, false, std::string("cannot fork (") + std::strerror(errno) + ")"};
    }
    if (pid == 0) {
        ::close(fds[0]);
        child_main(fds[1], work);
    }
    ::close(fds[1]);
    std::string report;
    bool timed_out = false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        pollfd p{fds[0], POLLIN, 0};
        int r = ::poll(&p, 1, int(std::min<long long>(left.count(), 1000)));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) continue;
        char buf[4096];
        ssize_t n = ::read(fds[0], buf, sizeof(buf));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // EOF: the child is done (or dead)
        report.append(buf, size_t(n));
    }
    ::close(fds[0]);
    if (timed_out) ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (timed_out) {
        char secs[32];
        std::snprintf(secs, sizeof(secs), "%g", timeout_s);
        return {false, true, true, std::string("did not finish within ") + secs + " s (HFEXPORT_PLUGIN_TIMEOUT)"};
    }
    if (report.empty()) return {false, true, true, describe_death(status)};
    if (report[0] == '0') return {true, false, true, ""};
    return {false, false, true, report.substr(1)};
}

}  // namespace hfx
