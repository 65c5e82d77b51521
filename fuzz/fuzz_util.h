// Shared by the fuzz targets. The readers under test take paths (they map
// files), so each input is written to a file in a scratch folder first, on
// /dev/shm when there is one so that costs no disk I/O.
//
// What counts as a finding, beyond the sanitizers' crashes and leaks: any
// exception other than hfx::Error (a std::out_of_range from map::at, a
// nlohmann type_error, bad_alloc ...) and any error message that is not one
// line. Both reach the user as something other than the one-line error the
// house rules promise.
#pragma once
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/error.h"

namespace hfx::fuzz {

inline const std::string& scratch_dir() {
    static const std::string dir = [] {
        std::string base = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        std::string tmpl = base + "/hfx_fuzz_XXXXXX";
        if (!::mkdtemp(tmpl.data())) {
            std::perror("mkdtemp");
            std::abort();
        }
        static std::string keep = tmpl;
        std::atexit([] {
            std::error_code ec;
            std::filesystem::remove_all(keep, ec);
        });
        return tmpl;
    }();
    return dir;
}

inline std::string write_file(const std::string& name, const uint8_t* data, size_t size) {
    std::string path = scratch_dir() + "/" + name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), std::streamsize(size));
    if (!out) {
        std::fprintf(stderr, "fuzz: cannot write %s\n", path.c_str());
        std::abort();
    }
    return path;
}

inline std::string write_file(const std::string& name, const std::string& bytes) {
    return write_file(name, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

// Runs `fn`; an hfx::Error is the expected outcome for bad input, anything
// else aborts so libFuzzer keeps the input.
template <class F>
void expect_clean(F&& fn) {
    try {
        fn();
    } catch (const Error& e) {
        std::string msg = e.what();
        if (msg.empty() || msg.find('\n') != std::string::npos || msg.find('\r') != std::string::npos) {
            std::fprintf(stderr, "fuzz: error message is not one line: [%s]\n", msg.c_str());
            std::abort();
        }
    }
    // Any other exception escapes: libFuzzer reports it as a crash ("uncaught exception").
}

}  // namespace hfx::fuzz
