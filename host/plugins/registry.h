// PluginRegistry: finds libhfx_*.so plugins, checks their ABI, lets them
// register model types, and keeps them loaded. A plugin that cannot load,
// has another ABI major or a newer minor, throws or fails while registering,
// or registers a model type another plugin already has, is reported in one
// line naming its file and skipped; the host keeps going. A plugin the host has
// not seen before is first loaded in a child process (plugins/isolation.h), so
// one that crashes, exits or hangs while loading is skipped the same way.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hfx/abi.h"

namespace hfx {

class ProbeCache;

struct ModelTypeEntry {
    std::string model_type;
    std::vector<std::string> features;
    std::string reference;
    std::string plugin_name;
    std::string plugin_file;
    int (*build)(const hfx_host_api*, hfx_build*, void*) = nullptr;
    void* user = nullptr;
    int (*tiny_config)(char*, size_t, void*) = nullptr;

    bool supports(const std::string& feature) const;
};

class PluginRegistry {
public:
    PluginRegistry();
    ~PluginRegistry();
    PluginRegistry(const PluginRegistry&) = delete;
    PluginRegistry& operator=(const PluginRegistry&) = delete;

    // Loads every libhfx_*.so of `dir` in name order (a missing dir is fine).
    void load_dir(const std::string& dir);
    // Loads one plugin; false (and a reported problem) when it was skipped.
    bool load_file(const std::string& path);

    const ModelTypeEntry* find(const std::string& model_type) const;
    std::vector<const ModelTypeEntry*> entries() const;  // sorted by model type
    const std::vector<std::string>& problems() const { return problems_; }
    size_t plugin_count() const { return handles_.size(); }

private:
    friend struct RegistrarState;
    void report(const std::string& message);
    std::string probe_in_child(const std::string& path, const std::string& canonical);
    std::string load_in_process(const std::string& path);

    bool isolate_ = true;                      // false in the probing child itself
    std::unique_ptr<ProbeCache> probe_cache_;  // opened at the first probe, read once per registry

    std::map<std::string, ModelTypeEntry> types_;
    std::vector<void*> handles_;
    std::vector<std::string> loaded_files_;  // canonical paths
    std::vector<std::string> problems_;
};

// Where plugins are looked for, in order: the install's plugin folder (or
// the build tree's), HFEXPORT_PLUGIN_PATH, the TOML config's [plugins] dirs,
// then `extra` (from --plugin-dir).
std::vector<std::string> plugin_search_dirs(const std::vector<std::string>& config_dirs,
                                            const std::vector<std::string>& extra);

}  // namespace hfx
