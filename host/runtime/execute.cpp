#include "runtime/execute.h"

#include <chrono>

#include "core/error.h"
#include "runtime/profile.h"

namespace hfx::rt {

namespace {
void run_kernel(const Step& st, std::vector<Tensor>& values, std::vector<SequencePtr>* seqs, const ExecOptions& o) {
    const Node& node = st.node_of(*o.model);
    KernelContext ctx{node, st.opset, {}, {}, o.threads};
    ctx.packed = o.packed;
    ctx.linear_index = st.linear_index;
    size_t explicit_inputs = st.in.size() - st.implicit;
    for (size_t i = 0; i < st.in.size(); ++i) {
        int s = st.in[size_t(i)];
        SequencePtr sq = s >= 0 && seqs ? (*seqs)[size_t(s)] : nullptr;
        if (s >= 0 && !values[size_t(s)].defined() && !sq)
            ctx.fail(i < explicit_inputs ? "input '" : "outer-scope value '",
                     i < explicit_inputs ? node.inputs[i] : (*o.names)[size_t(s)], "' was not computed");
        if (i >= explicit_inputs) {
            ctx.outer.push_back(sq ? Value(sq) : Value(values[size_t(s)]));
            continue;
        }
        ctx.inputs.push_back(s < 0 || sq ? nullptr : &values[size_t(s)]);
        if (sq) {
            ctx.seq_inputs.resize(explicit_inputs);
            ctx.seq_inputs[i] = sq;
        }
    }
    for (const auto& [name, g] : st.graphs) ctx.subgraphs.emplace_back(name, g.get());
    ctx.outputs.resize(st.out.size());
    try {
        st.kernel->fn(ctx);
    } catch (const Error& e) {
        // A helper's error (a shape whose size overflows, ...) gets the node's name.
        if (!e.node().empty()) throw;
        ctx.fail(e.what());
    } catch (const std::exception& e) {
        ctx.fail(e.what());
    }
    for (size_t i = 0; i < st.out.size(); ++i) {
        if (st.out[i] < 0) continue;
        SequencePtr sq = i < ctx.seq_outputs.size() ? ctx.seq_outputs[i] : nullptr;
        if (sq && !seqs) ctx.fail("a sequence output cannot be folded");
        values[size_t(st.out[i])] = std::move(ctx.outputs[i]);
        if (seqs) (*seqs)[size_t(st.out[i])] = std::move(sq);
    }
}
}  // namespace

void execute_step(const Step& st, std::vector<Tensor>& values, std::vector<SequencePtr>* seqs, const ExecOptions& o) {
    if (!o.profile) return run_kernel(st, values, seqs, o);
    auto t0 = std::chrono::steady_clock::now();
    run_kernel(st, values, seqs, o);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    o.profile->record(step_name(*o.model, st), ms);
}

std::string step_name(const Model& m, const Step& st) {
    if (!st.is_fused()) return m.nodes[st.node].op;
    std::string name = st.kernel->op;
    if (name == "Linear" && st.in.size() == 3) name += "+Add";
    return name;
}

}  // namespace hfx::rt
