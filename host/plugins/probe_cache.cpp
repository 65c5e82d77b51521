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

struct FileStat {
    int64_t size = 0, mtime_ns = 0;
};

std::optional<FileStat> stat_file(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    return FileStat{int64_t(st.st_size), int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

std::string host_abi() { return std::to_string(HFX_ABI_MAJOR) + "." + std::to_string(HFX_ABI_MINOR); }

std::optional<std::string> content_hash(const std::string& path) {
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
    return std::string(hex);
}

// What identifies one build of a plugin file: size, mtime (ns) and content hash; the host's ABI
// is part of the key, so a new host judges the plugin anew.
std::optional<nlohmann::json> fingerprint(const std::string& path) {
    auto st = stat_file(path);
    auto hash = st ? content_hash(path) : std::nullopt;
    if (!hash) return std::nullopt;
    return nlohmann::json{{"size", st->size}, {"mtime_ns", st->mtime_ns}, {"fnv1a", *hash}, {"host_abi", host_abi()}};
}

// The cheap half of the key first: a file whose size, mtime or host ABI changed is not read at all.
bool same_stat(const nlohmann::json& cached, const FileStat& st) {
    return cached.is_object() && cached.value("size", int64_t(-1)) == st.size &&
           cached.value("mtime_ns", int64_t(-1)) == st.mtime_ns &&
           cached.value("host_abi", std::string()) == host_abi();
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
    if (it == verdicts_.end() || !it->is_object()) return std::nullopt;
    nlohmann::json cached = it->value("file", nlohmann::json());
    auto st = stat_file(path);
    if (!st || !same_stat(cached, *st)) return std::nullopt;
    auto hash = content_hash(path);
    if (!hash || cached.value("fnv1a", std::string()) != *hash) return std::nullopt;
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
