#include "plugins/probe_cache.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "hfx/abi.h"

namespace fs = std::filesystem;

namespace hfx {

namespace {

std::string cache_dir() {
    if (const char* d = std::getenv("HFEXPORT_CACHE_DIR"); d && *d) return d;
    if (const char* d = std::getenv("XDG_CACHE_HOME"); d && *d) return std::string(d) + "/hfexport";
    if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/hfexport";
    return "";
}

// What identifies one build of a plugin file: size, mtime (ns) and content hash.
std::optional<nlohmann::json> fingerprint(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    uint64_t h = 1469598103934665603ull;  // FNV-1a, 64 bit
    char buf[1 << 16];
    while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
        for (std::streamsize i = 0; i < in.gcount(); ++i) h = (h ^ uint8_t(buf[i])) * 1099511628211ull;
        if (!in) break;
    }
    char hex[17];
    std::snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)h);
    int64_t mtime_ns = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    // The host's ABI is part of the key: a new host judges the plugin anew.
    return nlohmann::json{{"size", int64_t(st.st_size)}, {"mtime_ns", mtime_ns}, {"fnv1a", hex},
                          {"host_abi", std::to_string(HFX_ABI_MAJOR) + "." + std::to_string(HFX_ABI_MINOR)}};
}

nlohmann::json read_all(const std::string& file) {
    std::ifstream in(file);
    if (!in) return nlohmann::json::object();
    nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    return j.is_object() ? j : nlohmann::json::object();
}

}  // namespace

ProbeCache::ProbeCache() {
    std::string dir = cache_dir();
    if (!dir.empty()) file_ = dir + "/plugin-probes.json";
    verdicts_ = file_.empty() ? nlohmann::json::object() : read_all(file_);
}

std::optional<ProbeVerdict> ProbeCache::find(const std::string& path) const {
    auto it = verdicts_.find(path);
    if (it == verdicts_.end()) return std::nullopt;
    auto fp = fingerprint(path);
    if (!fp || !it->is_object() || it->value("file", nlohmann::json()) != *fp)
        return std::nullopt;
    return ProbeVerdict{it->value("ok", false), it->value("problem", std::string())};
}

void ProbeCache::store(const std::string& path, const ProbeVerdict& verdict) {
    auto fp = fingerprint(path);
    if (file_.empty() || !fp) return;
    std::error_code ec;
    fs::create_directories(fs::path(file_).parent_path(), ec);
    nlohmann::json all = read_all(file_);
    all[path] = {{"file", *fp}, {"ok", verdict.ok}, {"problem", verdict.problem}};
    verdicts_[path] = all[path];
    // Written aside and renamed: concurrent hosts never read half a file.
    std::string tmp = file_ + ".tmp." + std::to_string(::getpid());
    {
        std::ofstream out(tmp);
        out << all.dump(1);
        if (!out) {
            fs::remove(tmp, ec);
            spdlog::debug("plugin probe cache '{}': cannot write", file_);
            return;
        }
    }
    fs::rename(tmp, file_, ec);
    if (ec) fs::remove(tmp, ec);
}

}  // namespace hfx
