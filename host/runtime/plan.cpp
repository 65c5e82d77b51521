#include "runtime/plan.h"

#include "core/error.h"

namespace hfx::rt {

namespace {
bool is_plain_transpose(const Node& node, const Tensor& x) {
    if (node.op != "Transpose" || !node.domain.empty() || x.dtype != DType::f32 || x.rank() != 2) return false;
    std::vector<int64_t> perm = node.attr_ints("perm");
    return perm.empty() || (perm.size() == 2 && perm[0] == 1 && perm[1] == 0);
}

// Ops whose results are sequences or depend on a subgraph: never folded at build time.
bool never_folded(const Node& n) {
    return n.domain.empty() && (n.op.rfind("Sequence", 0) == 0 || n.op == "SplitToSequence" ||
                                n.op == "ConcatFromSequence" || n.op == "Loop" || n.op == "If" || n.op == "Scan");
}

void mark_folded(Plan& p, int s) {
    p.folded.resize(p.constants.size(), false);
    if (s >= 0) p.folded[size_t(s)] = true;
}

// Computes a deferred transpose into the constants (a reader needs its value).
void materialize(Plan& p, int s, const ExecOptions& run) {
    auto it = p.lazy.find(s);
    if (it == p.lazy.end()) return;
    Step st = std::move(it->second);
    p.lazy.erase(it);
    execute_step(st, p.constants, nullptr, run);
}
}  // namespace

int Plan::slot(const std::string& name) {
    auto [it, fresh] = slot_of.emplace(name, int(constants.size()));
    if (fresh) {
        constants.emplace_back();
        names.push_back(name);
    }
    return it->second;
}

int Plan::transposed_from(int s) const {
    auto it = lazy.find(s);
    return it == lazy.end() ? -1 : it->second.in[0];
}

Plan plan_graph(const Model& model, const AddGraphs& add_graphs, const ExecOptions& run_in) {
    Plan p;
    p.model = &model;
    ExecOptions run = run_in;
    run.model = &model;
    run.names = &p.names;
    for (auto& [name, t] : model.initializers) p.constants[size_t(p.slot(name))] = t;
    for (const auto& v : model.inputs) p.input_slots.push_back(p.slot(v.name));
    std::vector<Tensor>& values = p.constants;
    for (size_t n = 0; n < model.nodes.size(); ++n) {
        const Node& node = model.nodes[n];
        if (node.domain == kFusedDomain)
            fail("node '", node.name, "' (", node.op, "): domain '", kFusedDomain, "' is the runtime's own");
        auto it = model.opsets.find(node.domain);
        int64_t opset = it != model.opsets.end() ? it->second : (node.domain.empty() ? 0 : 1);
        const KernelEntry* k = find_kernel(node.domain, node.op, opset);
        if (!k) fail("node '", node.name, "' (", node.op, "): not implemented for opset ", std::to_string(opset));
        Step st;
        st.node = n;
        st.kernel = k;
        st.opset = opset;
        bool foldable = true;
        for (const auto& name : node.inputs) {
            if (name.empty()) {
                st.in.push_back(-1);
                continue;
            }
            auto f = p.slot_of.find(name);
            if (f == p.slot_of.end())
                fail("node '", node.name, "' (", node.op, "): input '", name, "' is not produced by any earlier node");
            st.in.push_back(f->second);
            foldable = foldable && (values[size_t(f->second)].defined() || p.lazy.count(f->second));
        }
        add_graphs(p, node, st);
        foldable = foldable && !never_folded(node) && st.graphs.empty();
        for (const auto& name : node.outputs) st.out.push_back(name.empty() ? -1 : p.slot(name));
        if (foldable && st.in.size() == 1 && st.out.size() == 1 && st.out[0] >= 0 && !p.lazy.count(st.in[0]) &&
            is_plain_transpose(node, values[size_t(st.in[0])])) {
            mark_folded(p, st.out[0]);
            p.lazy.emplace(st.out[0], std::move(st));
            continue;
        }
        if (!foldable) {
            p.steps.push_back(std::move(st));
            continue;
        }
        for (int s : st.in)
            if (s >= 0) materialize(p, s, run);
        execute_step(st, values, nullptr, run);
        for (int s : st.out) mark_folded(p, s);
    }
    for (const auto& o : model.outputs)
        if (p.slot_of.count(o.name)) p.output_slots.push_back(p.slot_of[o.name]);
    p.folded.resize(p.constants.size(), false);
    return p;
}

void finish_plan(Plan& p, const ExecOptions& run_in) {
    ExecOptions run = run_in;
    run.model = p.model;
    run.names = &p.names;
    std::vector<bool> used(p.constants.size(), false);
    for (const auto& st : p.steps)
        for (int s : st.in)
            if (s >= 0) used[size_t(s)] = true;
    for (int s : p.output_slots) used[size_t(s)] = true;
    for (size_t s = 0; s < used.size(); ++s)
        if (used[s]) materialize(p, int(s), run);
    p.lazy.clear();
    for (size_t s = 0; s < p.constants.size(); ++s)
        if (p.folded[s] && !used[s]) p.constants[s] = Tensor();
}

RunPlan plan_run(const Plan& plan, const std::vector<int>& want) {
    // Only the steps the requested outputs depend on run; each value is freed after its last reader.
    RunPlan p;
    size_t count = plan.constants.size();
    std::vector<bool> need(count, false);
    p.keep.assign(count, false);
    for (int s : want) need[size_t(s)] = p.keep[size_t(s)] = true;
    p.run_step.assign(plan.steps.size(), false);
    p.last_use.assign(count, -1);
    for (int64_t i = int64_t(plan.steps.size()) - 1; i >= 0; --i) {
        const Step& st = plan.steps[size_t(i)];
        bool needed = false;
        for (int s : st.out) needed = needed || (s >= 0 && need[size_t(s)]);
        if (!needed) continue;
        p.run_step[size_t(i)] = true;
        for (int s : st.in) {
            if (s < 0) continue;
            need[size_t(s)] = true;
            if (p.last_use[size_t(s)] < 0) p.last_use[size_t(s)] = i;
        }
    }
    return p;
}

void check_feeds(const Model& model, const std::map<std::string, Value>& feeds) {
    for (const auto& [name, t] : feeds) {
        bool ok = false;
        for (const auto& v : model.inputs) ok = ok || v.name == name;
        if (!ok) fail("input '", name, "': not an input of the model");
    }
    std::map<std::string, std::pair<int64_t, std::string>> symbols;
    for (const auto& v : model.inputs) {
        auto it = feeds.find(v.name);
        if (it == feeds.end()) fail("input '", v.name, "': missing");
        if (it->second.is_sequence() != v.sequence)
            fail("input '", v.name, "': expected a ", v.sequence ? "sequence" : "tensor", ", got a ",
                 it->second.is_sequence() ? "sequence" : "tensor");
        if (v.sequence) continue;
        const Tensor& t = it->second.tensor;
        if (v.dtype != DType::undefined && t.dtype != v.dtype)
            fail("input '", v.name, "': expected ", dtype_name(v.dtype), ", got ", dtype_name(t.dtype));
        if (t.numel() > 0 && !t.data) fail("input '", v.name, "': no data");
        if (v.dims.empty()) continue;  // rank unknown
        if (t.rank() != int64_t(v.dims.size()))
            fail("input '", v.name, "': expected rank ", std::to_string(v.dims.size()), ", got shape ",
                 shape_str(t.shape));
        for (size_t d = 0; d < v.dims.size(); ++d) {
            const Dim& dim = v.dims[d];
            if (dim.size >= 0 && dim.size != t.shape[d])
                fail("input '", v.name, "': dimension ", std::to_string(d), " is ", std::to_string(t.shape[d]),
                     ", expected ", std::to_string(dim.size));
            if (dim.size >= 0 || dim.symbol.empty()) continue;
            auto [s, fresh] = symbols.emplace(dim.symbol, std::make_pair(t.shape[d], v.name));
            if (!fresh && s->second.first != t.shape[d])
                fail("input '", v.name, "': dimension ", std::to_string(d), " (", dim.symbol, ") is ",
                     std::to_string(t.shape[d]), ", but input '", s->second.second, "' has ",
                     std::to_string(s->second.first));
        }
    }
}

}  // namespace hfx::rt
