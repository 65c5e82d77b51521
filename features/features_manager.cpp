#include "features/features_manager.h"

#include <hfx/error.h>

#include "plugins/registry.h"

namespace hfx {

namespace {
std::string join(const std::vector<std::string>& items) {
    std::string s;
    for (const std::string& i : items) s += (s.empty() ? "" : ", ") + i;
    return s;
}
}  // namespace

std::vector<std::string> FeaturesManager::get_supported_features_for_model_type(const std::string& model_type) const {
    const ModelTypeEntry* e = registry_.find(model_type);
    if (!e) {
        std::vector<std::string> known;
        for (const ModelTypeEntry* k : registry_.entries()) known.push_back(k->model_type);
        throw Error(ErrorKind::plugin, "model type '" + model_type + "': no loaded plugin supports it (known: " +
                                           (known.empty() ? std::string("none; no plugins found") : join(known)) + ")");
    }
    return e->features;
}

void FeaturesManager::check_supported_model_or_raise(const std::string& model_type, const std::string& feature) const {
    std::vector<std::string> features = get_supported_features_for_model_type(model_type);
    for (const std::string& f : features)
        if (f == feature) return;
    if (!is_known_feature(feature)) get_model_class_for_feature(feature);  // throws listing the vocabulary
    throw Error("feature '" + feature + "': not supported by model type '" + model_type +
                "' (supported: " + join(features) + ")");
}

}  // namespace hfx
