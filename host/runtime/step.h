// Step: one node of the planned graph, its kernel resolved and its values as
// slots (indices into the session's value table). A fusion pass replaces a run
// of steps by one whose kernel is a fused one (domain kFusedDomain) and whose
// `fused` node carries that kernel's attributes; execution does not tell them apart.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/ir.h"
#include "runtime/kernel.h"

namespace hfx::rt {

struct Step {
    size_t node = 0;  // index into the model's nodes (the first node of a fused run)
    const KernelEntry* kernel = nullptr;
    int64_t opset = 0;
    std::vector<int> in, out;  // value slots; -1 = omitted
    // The last `implicit` of `in` are outer-scope values the node's graphs read.
    size_t implicit = 0;
    std::vector<std::pair<std::string, std::shared_ptr<Subgraph>>> graphs;
    // Set by a fusion pass: the node the fused kernel sees (its name is the first
    // fused node's; attributes are the kernel's parameters).
    std::shared_ptr<const Node> fused;
    int64_t linear_index = -1;  // fused Linear steps: index into the packed weights

    const Node& node_of(const Model& m) const { return fused ? *fused : m.nodes[node]; }
    bool is_fused() const { return fused != nullptr; }
};

// "MatMul", or for fused steps "Linear", "Linear+Add", "LayerNorm", "Gelu" (tests, profiles).
std::string step_name(const Model& m, const Step& st);

}  // namespace hfx::rt
