#include "core/ir.h"

namespace hfx {

int64_t Node::attr_i(const std::string& key, int64_t fallback) const {
    auto it = attrs.find(key);
    return it == attrs.end() ? fallback : it->second.i;
}

float Node::attr_f(const std::string& key, float fallback) const {
    auto it = attrs.find(key);
    return it == attrs.end() ? fallback : it->second.f;
}

std::string Node::attr_s(const std::string& key, const std::string& fallback) const {
    auto it = attrs.find(key);
    return it == attrs.end() ? fallback : it->second.s;
}

std::vector<int64_t> Node::attr_ints(const std::string& key) const {
    auto it = attrs.find(key);
    return it == attrs.end() ? std::vector<int64_t>{} : it->second.ints;
}

int64_t Model::opset() const {
    auto it = opsets.find("");
    return it == opsets.end() ? 0 : it->second;
}

}  // namespace hfx
