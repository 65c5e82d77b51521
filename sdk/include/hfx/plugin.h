// Writing a plugin:
//
//   #include <hfx/hfx.h>
//   static void build(hfx::Graph& g) { ... }
//   HFX_PLUGIN("bert", "1.0.0") {
//       reg.add({.model_type = "bert", .features = {"default", "masked-lm"},
//                .reference = "transformers 4.40.2 modeling_bert.py", .build = build});
//   }
//
// The macro defines the one exported C symbol, hfx_plugin_entry, and turns
// every exception thrown while registering or building into a status the host
// reports; nothing C++ crosses the boundary.
#pragma once
#include <cstdio>
#include <cstring>
#include <deque>
#include <exception>
#include <string>
#include <vector>

#include "hfx/abi.h"
#include "hfx/graph.h"

namespace hfx {

using BuildFn = void (*)(Graph&);

struct ModelType {
    std::string model_type;
    std::vector<std::string> features;
    std::string reference;
    BuildFn build = nullptr;
    std::string tiny_config;  // config.json text of a tiny random model (for selftest)
};

namespace detail {

struct Stored;
inline BuildFn build_of(void* user);
inline const std::string& tiny_config_of(void* user);

inline int build_trampoline(const hfx_host_api* api, hfx_build* b, void* user) {
    try {
        Graph g(api, b);
        build_of(user)(g);
        g.finish_outputs();
        return HFX_OK;
    } catch (const Error& e) {
        api->set_error(b, e.what());
        if (e.kind() == ErrorKind::config) return HFX_ERROR_CONFIG;
        return e.kind() == ErrorKind::checkpoint ? HFX_ERROR_CHECKPOINT : HFX_ERROR;
    } catch (const std::exception& e) {
        api->set_error(b, e.what());
    } catch (...) {
        api->set_error(b, "unknown exception in plugin");
    }
    return HFX_ERROR;
}

inline int tiny_config_trampoline(char* out, size_t capacity, void* user) {
    const std::string& text = tiny_config_of(user);
    if (text.empty() || text.size() + 1 > capacity) return HFX_ERROR;
    std::memcpy(out, text.c_str(), text.size() + 1);
    return HFX_OK;
}

// Registered descriptors must outlive the plugin's registration call.
struct Stored {
    ModelType type;
    std::vector<const char*> feature_ptrs;
    hfx_model_type_desc desc{};
};
inline std::deque<Stored>& stored() {
    static std::deque<Stored> s;
    return s;
}
inline BuildFn build_of(void* user) { return static_cast<Stored*>(user)->type.build; }
inline const std::string& tiny_config_of(void* user) { return static_cast<Stored*>(user)->type.tiny_config; }

}  // namespace detail

class Registrar {
public:
    Registrar(const hfx_host_api* api, hfx_registrar* r) : api_(api), r_(r) {}
    void add(ModelType type) {
        detail::Stored& s = detail::stored().emplace_back();
        s.type = std::move(type);
        for (const std::string& f : s.type.features) s.feature_ptrs.push_back(f.c_str());
        s.desc.struct_size = sizeof(hfx_model_type_desc);
        s.desc.model_type = s.type.model_type.c_str();
        s.desc.features = s.feature_ptrs.data();
        s.desc.num_features = s.feature_ptrs.size();
        s.desc.reference = s.type.reference.c_str();
        s.desc.build = detail::build_trampoline;
        s.desc.user = &s;
        s.desc.tiny_config = s.type.tiny_config.empty() ? nullptr : detail::tiny_config_trampoline;
        if (r_->add_model_type(r_, &s.desc) != HFX_OK)
            throw Error("model type '" + s.type.model_type + "': refused by the host");
    }
    const hfx_host_api* api() const { return api_; }

private:
    const hfx_host_api* api_;
    hfx_registrar* r_;
};

}  // namespace hfx

#define HFX_PLUGIN(NAME, VERSION)                                                                                  \
    static void hfx_plugin_register_(hfx::Registrar& reg);                                                         \
    static int hfx_plugin_register_c_(const hfx_host_api* host, hfx_registrar* r, char* err, size_t err_len) {     \
        try {                                                                                                      \
            hfx::Registrar reg(host, r);                                                                           \
            hfx_plugin_register_(reg);                                                                             \
            return HFX_OK;                                                                                         \
        } catch (const std::exception& e) {                                                                        \
            std::snprintf(err, err_len, "%s", e.what());                                                           \
        } catch (...) {                                                                                            \
            std::snprintf(err, err_len, "unknown exception while registering");                                    \
        }                                                                                                          \
        return HFX_ERROR;                                                                                          \
    }                                                                                                              \
    extern "C" HFX_EXPORT const hfx_plugin_desc* hfx_plugin_entry(void) {                                          \
        static const hfx_plugin_desc desc = {sizeof(hfx_plugin_desc), HFX_ABI_MAJOR, HFX_ABI_MINOR, NAME, VERSION, \
                                             hfx_plugin_register_c_};                                              \
        return &desc;                                                                                              \
    }                                                                                                              \
    static void hfx_plugin_register_(hfx::Registrar& reg)
