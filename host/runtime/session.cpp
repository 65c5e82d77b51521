// Session: the runtime as a pipeline, one file per stage:
//   load (onnx/load.h) -> plan (plan.h: kernels resolved once, initializer-only
//   subgraphs folded) -> fuse (fuse/: graph rewrites, one pass per file) -> execute
//   (execute.h: every step, fused ones included, runs a kernel of the kernel table)
//   -> profile (profile.h, HFX_PROFILE=1).
// Runs go through the steps in the model's (topological) order, freeing each
// intermediate after its last use (plan_run, worked out once per output set).
//
// A value is a tensor or a sequence of tensors (runtime/value.h): each slot has
// both, one of them set. Graph attributes (Loop's body) become Subgraphs: a
// nested Impl built once with the outer-scope names it reads as extra inputs;
// the node lists those names as implicit inputs after its own, so planning and
// freeing see them as reads.
#define EIGEN_USE_THREADS
#include "runtime/session.h"

#include <unsupported/Eigen/CXX11/ThreadPool>

#include <algorithm>
#include <mutex>
#include <set>
#include <thread>

#include "core/error.h"
#include "onnx/load.h"
#include "runtime/buffer_pool.h"
#include "runtime/execute.h"
#include "runtime/fuse/fuse.h"
#include "runtime/packed_weights.h"
#include "runtime/ops/parallel.h"
#include "runtime/plan.h"
#include "runtime/profile.h"

namespace hfx::rt {

namespace {
struct PoolGuard {
    explicit PoolGuard(Eigen::ThreadPoolInterface* p) : previous(thread_pool()) { set_thread_pool(p); }
    ~PoolGuard() { set_thread_pool(previous); }
    Eigen::ThreadPoolInterface* previous;
};

// Names a graph reads from enclosing scopes, in first-use order (nested graphs included).
std::vector<std::string> outer_names(const Model& g) {
    std::set<std::string> defined, seen;
    for (const auto& v : g.inputs) defined.insert(v.name);
    for (const auto& [name, t] : g.initializers) defined.insert(name);
    for (const auto& n : g.nodes)
        for (const auto& o : n.outputs) defined.insert(o);
    std::vector<std::string> out;
    auto use = [&](const std::string& name) {
        if (!name.empty() && !defined.count(name) && seen.insert(name).second) out.push_back(name);
    };
    for (const auto& n : g.nodes) {
        for (const auto& i : n.inputs) use(i);
        for (const auto& [key, a] : n.attrs)
            if (a.kind == Attr::Graph && a.g)
                for (const auto& name : outer_names(*a.g)) use(name);
    }
    for (const auto& o : g.outputs) use(o.name);
    return out;
}

}  // namespace

struct Session::Impl {
    struct Body;
    Model model;
    int threads = 1;
    std::unique_ptr<Eigen::ThreadPool> pool;
    Plan plan;
    PackedWeights packed;
    std::unique_ptr<Profile> profile;          // HFX_PROFILE=1, top-level sessions only
    BufferPool buffers;                        // run-time tensors; reused run after run
    std::map<std::vector<int>, RunPlan> runs;  // per requested output set; never erased: references stay valid
    std::mutex runs_mutex;

    ExecOptions exec(bool planning) {
        return ExecOptions{&model, &plan.names, threads, planning ? nullptr : &packed, profile.get()};
    }

    // `nested`: a subgraph's Impl, which runs on its parent's pool and buffers.
    void build(SessionOptions opt, bool nested = false) {
        threads = opt.threads > 0 ? opt.threads : int(std::max(1u, std::thread::hardware_concurrency()));
        if (!nested && Profile::requested()) profile = std::make_unique<Profile>();
        if (threads > 1 && !nested) pool = std::make_unique<Eigen::ThreadPool>(threads - 1);
        PoolGuard guard(nested ? thread_pool() : pool.get());
        auto graphs = [this](const Plan& p, const Node& node, Step& st) { add_graphs(p, node, st); };
        plan = plan_graph(model, graphs, exec(true));
        fuse_all(plan);
        finish_plan(plan, exec(true));
        packed.prepare(plan.steps, plan.constants, plan.output_slots);
    }

    // The node's graph attributes as Subgraphs, and the outer-scope names they read as
    // implicit inputs of the step.
    void add_graphs(const Plan& p, const Node& node, Step& st);

    const RunPlan& run_plan(const std::vector<int>& want) {
        std::lock_guard<std::mutex> lock(runs_mutex);
        auto found = runs.find(want);
        if (found != runs.end()) return found->second;
        return runs.emplace(want, plan_run(plan, want)).first->second;
    }

    std::vector<int> slots_of(const std::vector<std::string>& names) {
        std::vector<int> want;
        for (const auto& n : names) {
            auto it = plan.slot_of.find(n);
            if (it == plan.slot_of.end()) fail("output '", n, "': not a value of the model");
            want.push_back(it->second);
        }
        return want;
    }

    // Runs the steps `want` needs with `inputs` bound to model.inputs in order, on the
    // thread's current pool and allocator.
    std::vector<Value> run_core(const std::vector<int>& want, const std::vector<Value>& inputs) {
        std::vector<Tensor> values = plan.constants;
        std::vector<SequencePtr> seqs(values.size());
        for (size_t i = 0; i < plan.input_slots.size(); ++i) {
            size_t s = size_t(plan.input_slots[i]);
            if (inputs[i].is_sequence()) seqs[s] = inputs[i].sequence;
            else values[s] = inputs[i].tensor;
        }
        const RunPlan& rp = run_plan(want);
        ExecOptions o = exec(false);
        for (size_t i = 0; i < plan.steps.size(); ++i) {
            if (!rp.run_step[i]) continue;
            execute_step(plan.steps[i], values, &seqs, o);
            for (int s : plan.steps[i].in)
                if (s >= 0 && rp.last_use[size_t(s)] == int64_t(i) && !rp.keep[size_t(s)]) {
                    values[size_t(s)] = Tensor();
                    seqs[size_t(s)] = nullptr;
                }
        }
        std::vector<Value> out;
        for (int s : want) {
            if (seqs[size_t(s)]) out.emplace_back(seqs[size_t(s)]);
            else if (values[size_t(s)].defined()) out.emplace_back(values[size_t(s)]);
            else fail("output '", plan.names[size_t(s)], "': was not computed");
        }
        return out;
    }

    std::vector<Value> run(const std::vector<std::string>& names, const std::map<std::string, Value>& feeds) {
        check_feeds(model, feeds);
        std::vector<int> want = slots_of(names);
        std::vector<Value> inputs;
        for (const auto& v : model.inputs) inputs.push_back(feeds.at(v.name));
        PoolGuard guard(pool.get());
        BufferPoolScope scope(&buffers);
        struct EndRun {
            BufferPool& b;
            ~EndRun() { b.end_run(); }
        } end_run{buffers};
        std::vector<Value> out = run_core(want, inputs);
        for (size_t i = 0; i < want.size(); ++i)  // constants may live in a read-only mapping: hand out a copy
            if (!out[i].is_sequence() && plan.constants[size_t(want[i])].defined())
                out[i].tensor = out[i].tensor.clone();
        return out;
    }
};

// A graph attribute: its own Impl over the graph plus the outer names as inputs.
struct Session::Impl::Body final : Subgraph {
    std::unique_ptr<Impl> impl = std::make_unique<Impl>();
    std::vector<size_t> outer_index;  // per outer name of the graph: index into the node's implicit inputs
    size_t declared = 0;
    std::vector<int> want;
    std::string what;

    std::vector<Value> run(const std::vector<Value>& inputs, const std::vector<Value>& outer) override {
        if (inputs.size() != declared)
            fail(what, ": the graph has ", std::to_string(declared), " inputs, got ", std::to_string(inputs.size()));
        std::vector<Value> feeds = inputs;
        for (size_t j : outer_index) feeds.push_back(outer.at(j));
        return impl->run_core(want, feeds);
    }
    const Model& graph() const override { return impl->model; }
};

void Session::Impl::add_graphs(const Plan& p, const Node& node, Step& st) {
    std::vector<std::string> implicit;
    for (const auto& [key, a] : node.attrs) {
        if (a.kind != Attr::Graph || !a.g) continue;
        auto body = std::make_shared<Body>();
        body->what = "node '" + node.name + "' (" + node.op + "), graph '" + key + "'";
        body->impl->model = *a.g;
        body->declared = a.g->inputs.size();
        for (const auto& name : outer_names(*a.g)) {
            auto pos = std::find(implicit.begin(), implicit.end(), name);
            if (pos == implicit.end()) {
                auto f = p.slot_of.find(name);
                if (f == p.slot_of.end())
                    fail(body->what, ": reads '", name, "', which no enclosing graph defines before the node");
                st.in.push_back(f->second);
                ++st.implicit;
                pos = implicit.insert(implicit.end(), name);
            }
            body->outer_index.push_back(size_t(pos - implicit.begin()));
            ValueInfo v;
            v.name = name;
            v.dtype = DType::undefined;
            body->impl->model.inputs.push_back(v);
        }
        body->impl->build(SessionOptions{threads}, true);
        for (const auto& o : a.g->outputs) {
            auto f = body->impl->plan.slot_of.find(o.name);
            if (f == body->impl->plan.slot_of.end()) fail(body->what, ": output '", o.name, "' is not computed");
            body->want.push_back(f->second);
        }
        st.graphs.emplace_back(key, std::move(body));
    }
}

Session::Session(const std::string& onnx_path, SessionOptions options) : Session(load_onnx(onnx_path), options) {}

Session::Session(Model model, SessionOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->model = std::move(model);
    impl_->build(options);
}

Session::~Session() {
    if (impl_ && impl_->profile) impl_->profile->print(impl_->buffers.stats());
}
Session::Session(Session&&) noexcept = default;

std::vector<Tensor> Session::run(const std::vector<std::string>& output_names,
                                 const std::map<std::string, Tensor>& feeds) {
    std::map<std::string, Value> values(feeds.begin(), feeds.end());
    std::vector<std::string> names = output_names.empty() ? this->output_names() : output_names;
    std::vector<Value> outs = impl_->run(names, values);
    std::vector<Tensor> out;
    for (size_t i = 0; i < outs.size(); ++i) {
        if (outs[i].is_sequence()) fail("output '", names[i], "': is a sequence; use run_values");
        out.push_back(std::move(outs[i].tensor));
    }
    return out;
}

std::vector<Value> Session::run_values(const std::vector<std::string>& output_names,
                                       const std::map<std::string, Value>& feeds) {
    return impl_->run(output_names.empty() ? this->output_names() : output_names, feeds);
}

const Model& Session::model() const { return impl_->model; }

std::vector<std::string> Session::input_names() const {
    std::vector<std::string> out;
    for (const auto& v : impl_->model.inputs) out.push_back(v.name);
    return out;
}

std::vector<std::string> Session::planned_steps() const {
    std::vector<std::string> out;
    for (const auto& st : impl_->plan.steps) out.push_back(step_name(impl_->model, st));
    return out;
}

std::vector<std::string> Session::output_names() const {
    std::vector<std::string> out;
    for (const auto& v : impl_->model.outputs) out.push_back(v.name);
    return out;
}

}  // namespace hfx::rt
