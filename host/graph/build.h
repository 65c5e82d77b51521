// The host side of the plugin graph API: one `hfx_build` per export holds the
// checkpoint, the requested feature, and the Model being built. host_api()
// is the C function table handed to plugins.
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "checkpoint/checkpoint.h"
#include "core/error.h"
#include "core/ir.h"
#include "hfx/abi.h"

namespace hfx {
struct TinyWeights;  // graph/tiny_weights.h
}

struct hfx_build {
    const hfx::Checkpoint* checkpoint = nullptr;
    // make-tiny mode: no checkpoint; the config comes from here and weights are
    // created as the plugin declares them (graph/tiny_weights.h).
    const nlohmann::json* config = nullptr;
    hfx::TinyWeights* tiny = nullptr;
    std::string model_type;
    std::string feature;
    std::string component;                // "" or "encoder" / "decoder" / "decoder-with-past"
    mutable bool component_read = false;  // the plugin asked which component it builds (api_component)
    // Every config.json pointer the plugin looked up, present or not (export/config_audit.h).
    mutable std::set<std::string> config_reads;
    int64_t opset = 0;

    hfx::Model model;                      // what the plugin built, before lowering
    std::vector<std::string> value_names;  // hfx_value -> value name
    std::vector<hfx::DType> value_types;
    std::map<std::string, int> name_uses;           // for unique node names
    std::map<std::string, std::string> properties;  // "atol", "default_opset"
    std::string error;
    // The kind of the last host call that failed in this build (a missing tensor: checkpoint):
    // the SDK throws on it, so a build failing after one fails because of it.
    bool host_failed = false;
    hfx::ErrorKind host_error_kind = hfx::ErrorKind::plugin;
    int constant_count = 0;
};

namespace hfx {

const hfx_host_api* host_api();

// The host's own config/weight lookups, shared with the C table.
const nlohmann::json* config_at(const hfx_build* b, const char* pointer);

}  // namespace hfx
