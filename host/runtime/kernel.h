// The kernel interface: one ONNX op per file in ops/, each a plain function
// listed in kernel_table.cpp with its (domain, op, since..until) range.
#pragma once
#include <string>
#include <vector>

#include "core/error.h"
#include "core/ir.h"
#include "core/tensor.h"
#include "runtime/value.h"

namespace hfx::rt {

class PackedWeights;

// The domain of the fused kernels the fusion passes plan (fuse/fuse.h); a model's own
// nodes never use it.
inline constexpr const char* kFusedDomain = "hfx.fused";

// A graph attribute (Loop's body) the session prepared once. Kernels run it
// through KernelContext::run_subgraph, which also binds the outer-scope values
// the graph reads.
class Subgraph {
public:
    virtual ~Subgraph() = default;
    // `inputs` bind the graph's declared inputs in order; `outer` are the values of the
    // node's implicit (outer-scope) inputs. Returns the graph outputs in order.
    virtual std::vector<Value> run(const std::vector<Value>& inputs, const std::vector<Value>& outer) = 0;
    virtual const Model& graph() const = 0;
};

struct KernelContext {
    const Node& node;
    int64_t opset = 0;                  // the model's version of the node's domain
    std::vector<const Tensor*> inputs;  // nullptr for an omitted optional input or a sequence
    std::vector<Tensor> outputs;        // one per node output; kernels assign them
    int threads = 1;
    // Sequence-typed values: seq_inputs[i] is set when input i is a sequence (empty
    // vector when the node has none); a kernel sets seq_outputs[i] (sized like
    // outputs) for a sequence output instead of outputs[i].
    std::vector<SequencePtr> seq_inputs;
    std::vector<SequencePtr> seq_outputs;
    // Graph attributes by name and the values of the outer-scope names they read.
    std::vector<std::pair<std::string, Subgraph*>> subgraphs;
    std::vector<Value> outer;
    // Fused Linear steps: the session's packed weights (null while folding) and the
    // step's index into them.
    PackedWeights* packed = nullptr;
    int64_t linear_index = -1;

    size_t num_inputs() const { return inputs.size(); }
    bool is_sequence(size_t i) const { return i < seq_inputs.size() && seq_inputs[i] != nullptr; }
    bool has_input(size_t i) const { return i < inputs.size() && (inputs[i] != nullptr || is_sequence(i)); }
    const Tensor& in(size_t i) const;     // fails naming the node when absent or a sequence
    const Sequence& seq(size_t i) const;  // fails unless input i is a sequence
    Value value(size_t i) const;          // input i as a tensor or sequence value (undefined when omitted)
    void set_output(size_t i, Value v);   // a tensor or sequence output
    Subgraph& subgraph(const std::string& attr) const;  // fails when the node has no such graph

    // Throws hfx::Error "node '<name>' (<Op>): <parts...>", which names the node (Error::node()).
    template <class... Parts>
    [[noreturn]] void fail(const Parts&... parts) const {
        hfx::fail_at_node(node.name, "node '", node.name, "' (", node.op, "): ", parts...);
    }
};

using KernelFn = void (*)(KernelContext&);

struct KernelEntry {
    const char* domain;  // "" = ai.onnx, "com.microsoft", or kFusedDomain
    const char* op;
    int since;  // first opset version this kernel implements
    int until;  // last one (inclusive)
    KernelFn fn;
};

// The kernel for (domain, op) at `opset`, or nullptr.
const KernelEntry* find_kernel(const std::string& domain, const std::string& op, int64_t opset);
const std::vector<KernelEntry>& kernel_table();

}  // namespace hfx::rt
