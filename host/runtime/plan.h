// Plan: the steps a session runs and the value slots they read and write.
//
// plan_graph resolves every node's kernel once and folds initializer-only subgraphs
// at construction (the folded values become constants). Transposes of 2-D float
// constants are folded lazily: the Linear fusion reads W itself, and only a Transpose
// something else still reads is computed (finish_plan). plan_run works out, per set
// of requested outputs, which steps run and after which step each value is freed.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/ir.h"
#include "runtime/execute.h"
#include "runtime/step.h"
#include "runtime/value.h"

namespace hfx::rt {

struct Plan {
    const Model* model = nullptr;
    std::map<std::string, int> slot_of;
    std::vector<std::string> names;  // per slot
    std::vector<Tensor> constants;   // per slot: initializers and folded values
    std::vector<bool> folded;        // per slot: computed while planning
    std::vector<int> input_slots;    // model.inputs order
    std::vector<int> output_slots;   // model.outputs that are values of the graph
    std::vector<Step> steps;
    std::map<int, Step> lazy;  // deferred Transposes of 2-D float constants, by output slot

    int slot(const std::string& name);
    // W's slot when `s` is a deferred transpose of W, else -1.
    int transposed_from(int s) const;
};

// Adds a node's graph attributes to its step (Subgraphs, implicit outer-scope inputs
// looked up in the plan so far).
using AddGraphs = std::function<void(const Plan&, const Node&, Step&)>;

// Resolves kernels and folds constants; `run` computes folded steps.
Plan plan_graph(const Model& model, const AddGraphs& add_graphs, const ExecOptions& run);

// After the fusion passes: computes the deferred transposes a step or an output still
// reads and drops folded intermediates nobody reads any more (weights stay mapped).
void finish_plan(Plan& plan, const ExecOptions& run);

// Which steps a set of requested outputs needs and where each value is read last.
struct RunPlan {
    std::vector<bool> run_step, keep;
    std::vector<int64_t> last_use;
};
RunPlan plan_run(const Plan& plan, const std::vector<int>& want);

// Feeds against the model's declared inputs: names, tensor vs sequence, dtypes,
// ranks, fixed sizes and symbolic dimensions that must agree across inputs.
void check_feeds(const Model& model, const std::map<std::string, Value>& feeds);

}  // namespace hfx::rt
