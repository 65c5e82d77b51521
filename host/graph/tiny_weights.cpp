#include "graph/tiny_weights.h"

#include <algorithm>
#include <cctype>
#include <random>

#include "core/error.h"

namespace hfx {
namespace {

uint64_t fnv1a(const std::string& s) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return h;
}

bool is_norm_scale(const std::string& name, int32_t rank) {
    if (rank != 1) return false;
    size_t dot = name.rfind('.');
    std::string leaf = dot == std::string::npos ? name : name.substr(dot + 1);
    if (leaf != "weight" && leaf != "gamma") return false;
    std::string module = dot == std::string::npos ? "" : name.substr(0, dot);
    std::transform(module.begin(), module.end(), module.begin(), [](unsigned char c) { return std::tolower(c); });
    size_t last = module.rfind('.');
    std::string tail = last == std::string::npos ? module : module.substr(last + 1);
    return tail.find("norm") != std::string::npos || tail.rfind("ln", 0) == 0 || tail.find("_ln") != std::string::npos;
}

std::string shape_text(int32_t rank, const int64_t* s) {
    std::string out = "(";
    for (int32_t k = 0; k < rank; ++k) out += (k ? ", " : "") + (s[k] < 0 ? std::string("?") : std::to_string(s[k]));
    return out + ")";
}

}  // namespace

void TinyWeights::check_complete() const {
    for (const std::string& name : promised)
        if (!index.count(name))
            fail("tensor '", name,
                 "': make-tiny reported it present (a layout probe, or a build that failed without "
                 "it), but the plugin never declared it with weight()");
}

int tiny_weight_info(TinyWeights& t, const std::string& name, hfx_weight_info* out) {
    auto it = t.index.find(name);
    if (it != t.index.end()) {
        const Tensor& w = t.created[it->second].second;
        if (out && out->struct_size >= sizeof(hfx_weight_info)) {
            out->dtype = HFX_FLOAT;
            out->rank = int32_t(w.shape.size());
            for (int32_t k = 0; k < out->rank && k < 8; ++k) out->shape[k] = w.shape[size_t(k)];
        }
        return 1;
    }
    if ((t.created.empty() && t.task_layout) || t.present.count(name)) {
        t.promised.insert(name);
        if (out && out->struct_size >= sizeof(hfx_weight_info)) out->dtype = HFX_FLOAT, out->rank = 0;
        return 1;
    }
    t.answered_absent.push_back(name);
    return 0;
}

const Tensor& tiny_weight(TinyWeights& t, const std::string& name, int32_t rank, const int64_t* expected) {
    if (rank < 0 || rank > 8) fail("tensor '", name, "': rank ", std::to_string(rank), " out of range");
    auto it = t.index.find(name);
    if (it != t.index.end()) {
        const Tensor& w = t.created[it->second].second;
        bool ok = int32_t(w.shape.size()) == rank;
        for (int32_t k = 0; ok && k < rank; ++k) ok = expected[k] < 0 || expected[k] == w.shape[size_t(k)];
        if (!ok)
            fail("tensor '", name, "': requested as ", shape_text(rank, expected), " but first declared as ",
                 shape_str(w.shape), " (make-tiny)");
        return w;
    }
    Shape shape;
    for (int32_t k = 0; k < rank; ++k) {
        if (expected[k] < 0)
            fail("tensor '", name, "': make-tiny needs every axis of its first request, got ",
                 shape_text(rank, expected), " (axis ", std::to_string(k), " unknown: pass the size from the config)");
        shape.push_back(expected[k]);
    }
    Tensor w = Tensor::empty(DType::f32, shape);
    std::mt19937_64 rng(fnv1a(name) ^ t.seed);
    bool norm = is_norm_scale(name, rank);
    std::normal_distribution<float> nd(norm ? 1.f : 0.f, norm ? 0.1f : float(t.stddev));
    for (int64_t k = 0, n = w.numel(); k < n; ++k) w.ptr<float>()[k] = nd(rng);
    auto ends_with = [&](const std::string& suffix) {
        return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    bool word_embedding = rank == 2 && (ends_with("word_embeddings.weight") || ends_with("embed_tokens.weight"));
    if (word_embedding && t.pad_token_id >= 0 && t.pad_token_id < shape[0])
        std::fill_n(w.ptr<float>() + t.pad_token_id * shape[1], shape[1], 0.f);
    t.index[name] = t.created.size();
    t.created.emplace_back(name, w);
    return t.created.back().second;
}

}  // namespace hfx
