// Verdicts of plugin registration probes (isolation.h), cached so that a plugin
// is run in a child only the first time the host meets that exact file. A
// verdict is keyed by the canonical path and holds the file's size, mtime and
// FNV-1a hash: any change to the file means a new probe. The cache is one JSON
// file in $HFEXPORT_CACHE_DIR, else $XDG_CACHE_HOME/hfexport, else
// ~/.cache/hfexport; when it cannot be read or written the probes just run.
#pragma once
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace hfx {

struct ProbeVerdict {
    bool ok = false;
    std::string problem;  // when !ok: why the plugin is skipped
};

class ProbeCache {
public:
    ProbeCache();
    // The cached verdict of `canonical_path` when the file is unchanged since.
    std::optional<ProbeVerdict> find(const std::string& canonical_path) const;
    void store(const std::string& canonical_path, const ProbeVerdict& verdict);

private:
    std::string file_;
    nlohmann::json verdicts_;  // as read when the cache was opened
};

}  // namespace hfx
