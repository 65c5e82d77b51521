// The kernel interface: one ONNX op per file in ops/, each a plain function
// listed in kernel_table.cpp with its (domain, op, since..until) range.
#pragma once
#include <string>
#include <vector>

#include "core/error.h"
#include "core/ir.h"
#include "core/tensor.h"

namespace hfx::rt {

struct KernelContext {
    const Node& node;
    int64_t opset = 0;                 // the model's version of the node's domain
    std::vector<const Tensor*> inputs; // nullptr for an omitted optional input
    std::vector<Tensor> outputs;       // one per node output; kernels assign them
    int threads = 1;

    size_t num_inputs() const { return inputs.size(); }
    bool has_input(size_t i) const { return i < inputs.size() && inputs[i] != nullptr; }
    const Tensor& in(size_t i) const;  // fails naming the node when absent

    // Throws hfx::Error "node '<name>' (<Op>): <parts...>".
    template <class... Parts>
    [[noreturn]] void fail(const Parts&... parts) const {
        hfx::fail("node '", node.name, "' (", node.op, "): ", parts...);
    }
};

using KernelFn = void (*)(KernelContext&);

struct KernelEntry {
    const char* domain;  // "" = ai.onnx, or "com.microsoft"
    const char* op;
    int since;  // first opset version this kernel implements
    int until;  // last one (inclusive)
    KernelFn fn;
};

// The kernel for (domain, op) at `opset`, or nullptr.
const KernelEntry* find_kernel(const std::string& domain, const std::string& op, int64_t opset);
const std::vector<KernelEntry>& kernel_table();

}  // namespace hfx::rt
