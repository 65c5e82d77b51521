#include "plugins/registry.h"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <spdlog/spdlog.h>

#include "graph/build.h"
#include "plugins/isolation.h"
#include "plugins/probe_cache.h"

namespace fs = std::filesystem;

namespace hfx {

bool ModelTypeEntry::supports(const std::string& feature) const {
    return std::find(features.begin(), features.end(), feature) != features.end();
}

namespace {

constexpr size_t kMaxFeatures = 256;  // more than any task list; a larger count is a garbage field

// A model type descriptor from a plugin, checked field by field before anything is read through it.
std::string check(const hfx_model_type_desc* d) {
    if (!d) return "registered a NULL model type descriptor";
    if (d->struct_size < offsetof(hfx_model_type_desc, tiny_config))
        return "model type descriptor is too small (struct_size " + std::to_string(d->struct_size) + ")";
    if (!d->model_type || !*d->model_type) return "model type descriptor has no model_type";
    std::string type = "model type '" + std::string(d->model_type) + "': ";
    if (!d->build) return type + "no build function";
    if (d->num_features > kMaxFeatures) return type + "num_features is " + std::to_string(d->num_features);
    if (d->num_features > 0 && !d->features)
        return type + "features is NULL but num_features is " + std::to_string(d->num_features);
    for (size_t k = 0; k < d->num_features; ++k)
        if (!d->features[k] || !*d->features[k]) return type + "feature #" + std::to_string(k) + " is NULL or empty";
    return "";
}

// libhfx_<name>.so must carry the name its plugin declares ('-' and '_' alike: CMake target names
// cannot hold every model type spelling), so the file a user sees is the plugin that runs.
bool name_matches_file(const std::string& declared, const std::string& path) {
    std::string stem = fs::path(path).stem().string();
    if (stem.rfind("libhfx_", 0) != 0) return true;  // loaded by explicit path under another name
    auto norm = [](std::string s) {
        std::replace(s.begin(), s.end(), '-', '_');
        return s;
    };
    return norm(stem.substr(7)) == norm(declared);
}

}  // namespace

// The registrar handed to one plugin during its registration call.
struct RegistrarState {
    hfx_registrar c{};
    PluginRegistry* registry = nullptr;
    std::string plugin_name, plugin_file;
    std::vector<std::string> added;
    std::string error;

    static int add(hfx_registrar* r, const hfx_model_type_desc* d) {
        auto* self = reinterpret_cast<RegistrarState*>(r);
        self->error = check(d);
        if (!self->error.empty()) return HFX_ERROR;
        auto& types = self->registry->types_;
        auto it = types.find(d->model_type);
        if (it != types.end()) {
            self->error = "model type '" + std::string(d->model_type) + "' is already registered by '" +
                          it->second.plugin_file + "'";
            return HFX_ERROR;
        }
        ModelTypeEntry e;
        e.model_type = d->model_type;
        for (size_t k = 0; k < d->num_features; ++k) e.features.push_back(d->features[k]);
        e.reference = d->reference ? d->reference : "";
        e.plugin_name = self->plugin_name;
        e.plugin_file = self->plugin_file;
        e.build = d->build;
        e.user = d->user;
        if (d->struct_size >= sizeof(hfx_model_type_desc)) e.tiny_config = d->tiny_config;
        types.emplace(e.model_type, std::move(e));
        self->added.push_back(d->model_type);
        return HFX_OK;
    }
};

PluginRegistry::PluginRegistry() = default;
PluginRegistry::~PluginRegistry() = default;  // plugins stay mapped: their code may still be referenced

void PluginRegistry::report(const std::string& message) {
    problems_.push_back(message);
    spdlog::warn("{}", message);
}

void PluginRegistry::load_dir(const std::string& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return;
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        std::string name = e.path().filename().string();
        if (name.rfind("libhfx_", 0) == 0 && e.path().extension() == ".so") files.push_back(e.path().string());
    }
    std::sort(files.begin(), files.end());
    for (const std::string& f : files) load_file(f);
}

bool PluginRegistry::load_file(const std::string& path) {
    std::error_code ec;
    std::string canonical = fs::weakly_canonical(path, ec).string();
    if (std::find(loaded_files_.begin(), loaded_files_.end(), canonical) != loaded_files_.end()) return true;
    if (isolate_ && plugin_isolation_enabled()) {
        if (std::string why = probe_in_child(path, canonical); !why.empty()) {
            report("plugin '" + path + "': " + why + "; skipped");
            return false;
        }
    }
    if (std::string why = load_in_process(path); !why.empty()) {
        report("plugin '" + path + "': " + why + "; skipped");
        return false;
    }
    loaded_files_.push_back(canonical);
    return true;
}

// Loads and registers the plugin in a child first (once per file version: the verdict is cached), so
// that a crash, exit() or hang in its constructors, entry point or registration never reaches the host.
std::string PluginRegistry::probe_in_child(const std::string& path, const std::string& canonical) {
    if (!probe_cache_) probe_cache_ = std::make_unique<ProbeCache>();
    ProbeCache& cache = *probe_cache_;
    if (auto v = cache.find(canonical)) return v->ok ? "" : v->problem;
    ChildOutcome c = run_in_child(
        [&] {
            PluginRegistry probe;
            probe.isolate_ = false;
            return probe.load_in_process(path);
        },
        plugin_timeout_seconds());
    if (!c.ran) {
        spdlog::debug("plugin '{}': not probed in a child ({}); loading it directly", path, c.problem);
        return "";
    }
    std::string why = c.died ? c.problem + " while loading or registering" : c.problem;
    // A clean refusal is not cached: it may depend on the environment (a missing library, say).
    if (c.ok || c.died) cache.store(canonical, ProbeVerdict{c.ok, why});
    return c.ok ? "" : why;
}

// dlopen, entry point, ABI check, registration. "" on success, else why the plugin is skipped.
std::string PluginRegistry::load_in_process(const std::string& path) {
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char* err = dlerror();
        return std::string("cannot load (") + (err ? err : "unknown error") + ")";
    }
    auto entry = reinterpret_cast<hfx_plugin_entry_fn>(dlsym(handle, HFX_PLUGIN_ENTRY_SYMBOL));
    if (!entry) {
        dlclose(handle);
        return "no " HFX_PLUGIN_ENTRY_SYMBOL " symbol";
    }
    const hfx_plugin_desc* desc = entry();
    if (!desc || desc->struct_size < offsetof(hfx_plugin_desc, register_plugin) + sizeof(void*)) {
        dlclose(handle);
        return "invalid plugin descriptor";
    }
    if (desc->abi_major != HFX_ABI_MAJOR || desc->abi_minor > HFX_ABI_MINOR) {
        // The message reads the descriptor, which lives in the library: build it before closing.
        std::string why = "built for SDK ABI " + std::to_string(desc->abi_major) + "." +
                          std::to_string(desc->abi_minor) + ", this host has " + std::to_string(HFX_ABI_MAJOR) + "." +
                          std::to_string(HFX_ABI_MINOR);
        dlclose(handle);
        return why;
    }
    if (!desc->name || !*desc->name || !desc->register_plugin) {
        dlclose(handle);
        return !desc->register_plugin ? "plugin descriptor has no register function" : "plugin descriptor has no name";
    }
    if (!name_matches_file(desc->name, path)) {
        std::string why = "declares the name '" + std::string(desc->name) + "', which its file name does not carry";
        dlclose(handle);
        return why;
    }
    RegistrarState state;
    state.c.struct_size = sizeof(hfx_registrar);
    state.c.add_model_type = RegistrarState::add;
    state.registry = this;
    state.plugin_name = desc->name;
    state.plugin_file = path;
    char err[1024] = {0};
    int rc = HFX_ERROR;
    try {
        rc = desc->register_plugin(host_api(), &state.c, err, sizeof(err));
    } catch (...) {  // a plugin built without the SDK macro may still throw
        std::snprintf(err, sizeof(err), "threw an exception while registering");
    }
    err[sizeof(err) - 1] = 0;
    if (rc != HFX_OK || !state.error.empty()) {
        for (const std::string& t : state.added) types_.erase(t);  // all or nothing
        return !state.error.empty() ? state.error : (err[0] ? std::string(err) : "registration failed");
    }
    handles_.push_back(handle);
    spdlog::debug("plugin '{}' ({}): {} model type(s)", state.plugin_name, path, state.added.size());
    return "";
}

const ModelTypeEntry* PluginRegistry::find(const std::string& model_type) const {
    auto it = types_.find(model_type);
    return it == types_.end() ? nullptr : &it->second;
}

std::vector<const ModelTypeEntry*> PluginRegistry::entries() const {
    std::vector<const ModelTypeEntry*> out;
    for (const auto& [name, e] : types_) out.push_back(&e);
    return out;
}

std::vector<std::string> plugin_search_dirs(const std::vector<std::string>& config_dirs,
                                            const std::vector<std::string>& extra) {
    std::vector<std::string> dirs;
    // Installed next to the executable (prefix/bin -> prefix/lib/hfexport/plugins), else the build tree.
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    fs::path installed = exe.parent_path().parent_path() / HFX_PLUGIN_REL_DIR;
    if (!ec && fs::is_directory(installed, ec)) dirs.push_back(installed.string());
    else if (fs::is_directory(HFX_PLUGIN_BUILD_DIR, ec)) dirs.push_back(HFX_PLUGIN_BUILD_DIR);
    else dirs.push_back(HFX_PLUGIN_INSTALL_DIR);
    if (const char* env = std::getenv("HFEXPORT_PLUGIN_PATH")) {
        std::string s = env;
        size_t start = 0;
        while (start <= s.size()) {
            size_t end = s.find(':', start);
            if (end == std::string::npos) end = s.size();
            if (end > start) dirs.push_back(s.substr(start, end - start));
            start = end + 1;
        }
    }
    dirs.insert(dirs.end(), config_dirs.begin(), config_dirs.end());
    dirs.insert(dirs.end(), extra.begin(), extra.end());
    return dirs;
}

}  // namespace hfx
