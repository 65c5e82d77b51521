// Weights by Hugging Face name through prefix views, as candle's VarBuilder:
//   Weights vb(g, "bert");  vb.pp("embeddings").get("word_embeddings.weight", {vocab, hidden})
// Shapes are checked at lookup; the error names the tensor.
#pragma once
#include <string>

#include "hfx/graph.h"

namespace hfx {

class Weights {
public:
    Weights(Graph& g, std::string prefix = "") : g_(&g), prefix_(std::move(prefix)) {}

    // The base model's view: task models store it under `prefix` ("bert."),
    // a bare AutoModel checkpoint at the root. `probe` is a tensor inside it.
    static Weights base(Graph& g, const std::string& prefix, const std::string& probe) {
        return g.has_weight(prefix + "." + probe) ? Weights(g, prefix) : Weights(g, "");
    }

    Weights pp(const std::string& sub) const { return Weights(*g_, path(sub)); }
    Weights pp(const std::string& sub, int64_t index) const { return pp(sub + "." + std::to_string(index)); }

    std::string path(const std::string& name) const {
        if (prefix_.empty()) return name;
        if (name.empty()) return prefix_;
        return prefix_ + "." + name;
    }
    const std::string& prefix() const { return prefix_; }
    Graph& graph() const { return *g_; }

    bool has(const std::string& name) const { return g_->has_weight(path(name)); }
    Value get(const std::string& name, std::vector<int64_t> shape) const {
        return g_->weight(path(name), std::move(shape));
    }
    std::vector<int64_t> shape(const std::string& name) const { return g_->weight_shape(path(name)); }

    // Node names under this module: "/bert/encoder/layer.0/...".
    [[nodiscard]] Graph::Scope scope() const { return g_->scope(prefix_); }

private:
    Graph* g_;
    std::string prefix_;
};

}  // namespace hfx
