// Session: resolves every node's kernel once, folds initializer-only
// subgraphs at construction, then runs the remaining nodes in the model's
// (topological) order, freeing each intermediate after its last use.
//
// Planning at construction also fuses what the exporter emits for a Linear
// layer, MatMul(x, Transpose(W)) [+ Add(bias)] with W a 2-D float constant,
// into one GEMM that reads W as stored (transposed operand; no transposed copy
// of the weights is ever made) and starts from the bias; MatMul(x, W) with W a
// 2-D float constant (other exporters' Linear) becomes the same step. Their
// weights are packed once for the GEMM kernel (packed_weight) the second time a
// step multiplies several rows, so one-shot sessions (the validator's) and
// one-row decoding (a GEMV, which packs nothing) pay nothing for it.
// HFX_PROFILE=1 prints the time spent per op type when the session ends.
//
// A value is a tensor or a sequence of tensors (runtime/value.h): each slot has
// both, one of them set. Graph attributes (Loop's body) become Subgraphs: a
// nested Impl built once with the outer-scope names it reads as extra inputs;
// the node lists those names as implicit inputs after its own, so planning and
// freeing see them as reads.
#define EIGEN_USE_THREADS
#include "runtime/session.h"

#include <unsupported/Eigen/CXX11/ThreadPool>
#include <string_view>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>
#include <thread>

#include "core/error.h"
#include "core/mapped_file.h"
#include "onnx/load.h"
#include "runtime/buffer_pool.h"
#include "runtime/kernel.h"
#include "runtime/ops/gemm_isa.h"
#include "runtime/ops/gemm_util.h"
#include "runtime/ops/parallel.h"

namespace hfx::rt {

namespace {
struct Step {
    size_t node;
    const KernelEntry* kernel;
    int64_t opset;
    std::vector<int> in, out;  // value slots; -1 = omitted
    // The last `implicit` of `in` are outer-scope values the node's graphs read.
    size_t implicit = 0;
    std::vector<std::pair<std::string, std::shared_ptr<Subgraph>>> graphs;
    // Linear: out = in[0] @ W^T (+ bias), W [n, k] a float constant (replaces `kernel`).
    int linear_w = -1, linear_bias = -1;
    bool linear_wt = true;  // W stored [n, k] (read through a Transpose); false: [k, n] (MatMul(x, W))
    size_t bias_node = 0;  // the fused Add, for messages and profiles
    size_t linear_index = 0;  // Linear steps: index into Impl::packed
    // Fused float subgraphs (replace `kernel`): in = {x, gamma, beta or -1} / {x}.
    enum Fused { None, LayerNorm, Gelu } fused = None;
    float param = 0;  // LayerNorm: epsilon; Gelu: c in 0.5 x (1 + erf(c x))
    int min_rank = 0;  // Gelu: a [1] constant broadcasts a scalar input to [1]
};

bool is_plain_transpose(const Node& node, const Tensor& x) {
    if (node.op != "Transpose" || !node.domain.empty() || x.dtype != DType::f32 || x.rank() != 2) return false;
    std::vector<int64_t> perm = node.attr_ints("perm");
    return perm.empty() || (perm.size() == 2 && perm[0] == 1 && perm[1] == 0);
}

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

// Ops whose results are sequences or depend on a subgraph: never folded at build time.
bool never_folded(const Node& n) {
    return n.domain.empty() && (n.op.rfind("Sequence", 0) == 0 || n.op == "SplitToSequence" ||
                                n.op == "ConcatFromSequence" || n.op == "Loop" || n.op == "If" || n.op == "Scan");
}
}  // namespace

struct Session::Impl {
    struct Body;
    Model model;
    int threads = 1;
    std::unique_ptr<Eigen::ThreadPool> pool;
    std::map<std::string, int> slot_of;
    std::vector<Tensor> constants;  // per slot: initializers and folded values
    std::vector<int> input_slots;   // model.inputs order
    std::vector<Step> steps;
    BufferPool buffers;  // run-time tensors; reused run after run

    int slot(const std::string& name) {
        auto [it, fresh] = slot_of.emplace(name, int(constants.size()));
        if (fresh) constants.emplace_back();
        return it->second;
    }

    bool profile = false;
    std::map<std::string, std::pair<double, int64_t>> profile_ms;  // op -> (ms, calls)

    void run_linear(const Step& st, std::vector<Tensor>& values) {
        const Node& node = model.nodes[st.node];
        const Tensor& x = values[size_t(st.in[0])];
        const Tensor& w = values[size_t(st.linear_w)];
        auto fail_here = [&](const auto&... parts) { hfx::fail("node '", node.name, "' (MatMul): ", parts...); };
        if (!x.defined()) fail_here("input '", node.inputs[0], "' was not computed");
        if (x.dtype != DType::f32) fail_here("input dtypes differ: ", dtype_name(x.dtype), " and float32");
        if (x.rank() == 0) fail_here("operands must not be scalars");
        int64_t n = w.shape[st.linear_wt ? 0 : 1], k = w.shape[st.linear_wt ? 1 : 0];
        if (x.shape.back() != k)
            fail_here("shapes ", shape_str(x.shape), " and ", shape_str({k, n}), " do not multiply");
        Shape out_shape(x.shape.begin(), x.shape.end() - 1);
        out_shape.push_back(n);
        Tensor out = Tensor::uninitialized(DType::f32, out_shape);
        int64_t m = x.numel() / std::max<int64_t>(1, k);
        if (k == 0) m = shape_numel(Shape(x.shape.begin(), x.shape.end() - 1));
        bool acc = st.linear_bias >= 0;
        if (acc) {
            const float* b = values[size_t(st.linear_bias)].ptr<float>();
            float* o = out.ptr<float>();
            for (int64_t r = 0; r < m; ++r) std::copy(b, b + n, o + r * n);
        }
        const PackedB* packed = packed_weight(st, m);
        if (packed) gemm_packed(m, x.ptr<float>(), *packed, out.ptr<float>(), acc);
        else gemm<float>(m, n, k, x.ptr<float>(), false, w.ptr<float>(), st.linear_wt, out.ptr<float>(), 1.f, acc);
        values[size_t(st.out[0])] = std::move(out);
    }

    void run_fused(const Step& st, std::vector<Tensor>& values) {
        const Node& node = model.nodes[st.node];
        const Tensor& x = values[size_t(st.in[0])];
        const char* what = st.fused == Step::LayerNorm ? "LayerNorm" : "Gelu";
        if (!x.defined()) hfx::fail("node '", node.name, "' (", node.op, "): input '", node.inputs[0], "' was not computed");
        if (x.dtype != DType::f32 || (x.rank() == 0 && st.fused == Step::LayerNorm))
            hfx::fail("node '", node.name, "' (", node.op, ", fused ", what, "): expected a float32 tensor, got ",
                      dtype_name(x.dtype), " ", shape_str(x.shape));
        Tensor out = Tensor::uninitialized(DType::f32, x.rank() < st.min_rank ? Shape{1} : x.shape);
        const float* px = x.ptr<float>();
        float* py = out.ptr<float>();
        if (st.fused == Step::Gelu) {
            auto fn = isa::gelu();
            float c = st.param;
            parallel_for(x.numel(), 1 << 14, [&](int64_t b, int64_t e) { fn(px + b, py + b, e - b, c); });
        } else {
            const Tensor& g = values[size_t(st.in[1])];
            const float* pb = st.in[2] >= 0 ? values[size_t(st.in[2])].ptr<float>() : nullptr;
            int64_t n = x.shape.back();
            if (n != g.shape[0])
                hfx::fail("node '", node.name, "' (", node.op, ", fused LayerNorm): last dimension of ",
                          shape_str(x.shape), " does not match the scale ", shape_str(g.shape));
            auto fn = isa::layernorm();
            float eps = st.param;
            parallel_for(x.numel() / std::max<int64_t>(1, n), std::max<int64_t>(1, 8192 / std::max<int64_t>(1, n)),
                         [&](int64_t b, int64_t e) { fn(px + b * n, py + b * n, e - b, n, g.ptr<float>(), pb, eps); });
        }
        values[size_t(st.out[0])] = std::move(out);
    }

    std::string step_name(const Step& st) const {
        if (st.linear_w >= 0) return st.linear_bias >= 0 ? "Linear+Add" : "Linear";
        if (st.fused == Step::LayerNorm) return "LayerNorm";
        if (st.fused == Step::Gelu) return "Gelu";
        return model.nodes[st.node].op;
    }

    // `seqs` (the slots' sequence values) is null while folding at build time.
    void run_step(const Step& st, std::vector<Tensor>& values, std::vector<SequencePtr>* seqs = nullptr) {
        if (!profile) return run_step_now(st, values, seqs);
        auto t0 = std::chrono::steady_clock::now();
        run_step_now(st, values, seqs);
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        std::string op = step_name(st);
        auto& e = profile_ms[op];
        e.first += ms;
        e.second += 1;
    }

    void print_profile() {
        if (!profile || profile_ms.empty()) return;
        double total = 0;
        for (const auto& [op, e] : profile_ms) total += e.first;
        std::vector<std::pair<double, std::string>> rows;
        for (const auto& [op, e] : profile_ms) rows.emplace_back(e.first, op);
        std::sort(rows.rbegin(), rows.rend());
        BufferPool::Stats b = buffers.stats();
        std::fprintf(stderr, "[profile] %.1f ms in ops; tensors: %lld from the heap, %lld reused\n", total,
                     (long long)b.heap_allocations, (long long)b.reuses);
        for (const auto& [ms, op] : rows)
            std::fprintf(stderr, "[profile] %-22s %9.1f ms %5.1f%% %6lld calls\n", op.c_str(), ms, 100 * ms / total,
                         (long long)profile_ms[op].second);
    }

    void run_step_now(const Step& st, std::vector<Tensor>& values, std::vector<SequencePtr>* seqs) {
        if (st.linear_w >= 0) return run_linear(st, values);
        if (st.fused != Step::None) return run_fused(st, values);
        const Node& node = model.nodes[st.node];
        KernelContext ctx{node, st.opset, {}, {}, threads};
        size_t explicit_inputs = st.in.size() - st.implicit;
        for (size_t i = 0; i < st.in.size(); ++i) {
            int s = st.in[size_t(i)];
            SequencePtr sq = s >= 0 && seqs ? (*seqs)[size_t(s)] : nullptr;
            if (s >= 0 && !values[size_t(s)].defined() && !sq)
                ctx.fail(i < explicit_inputs ? "input '" : "outer-scope value '",
                         i < explicit_inputs ? node.inputs[i] : slot_name(s), "' was not computed");
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
            if (std::string_view(e.what()).rfind("node '", 0) == 0) throw;
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

    std::string slot_name(int s) const {
        for (const auto& [name, i] : slot_of)
            if (i == s) return name;
        return "?";
    }

    // `nested`: a subgraph's Impl, which runs on its parent's pool and buffers.
    void build(SessionOptions opt, bool nested = false) {
        threads = opt.threads > 0 ? opt.threads : int(std::max(1u, std::thread::hardware_concurrency()));
        const char* prof = std::getenv("HFX_PROFILE");
        profile = !nested && prof && *prof && std::string(prof) != "0";
        if (threads > 1 && !nested) pool = std::make_unique<Eigen::ThreadPool>(threads - 1);
        for (auto& [name, t] : model.initializers) constants[size_t(slot(name))] = t;
        for (const auto& v : model.inputs) input_slots.push_back(slot(v.name));
        std::vector<Tensor>& values = constants;
        PoolGuard guard(nested ? thread_pool() : pool.get());
        std::vector<bool> folded_slot;
        // Transposes of 2-D float constants are folded lazily: a MatMul reading one as
        // its B operand uses the constant itself; any other reader gets it computed.
        std::map<int, Step> deferred;  // output slot -> the Transpose step
        auto materialize = [&](int s) {
            auto it = deferred.find(s);
            if (it == deferred.end()) return;
            Step st = std::move(it->second);
            deferred.erase(it);
            run_step(st, values);
        };
        for (size_t n = 0; n < model.nodes.size(); ++n) {
            const Node& node = model.nodes[n];
            auto it = model.opsets.find(node.domain);
            int64_t opset = it != model.opsets.end() ? it->second : (node.domain.empty() ? 0 : 1);
            const KernelEntry* k = find_kernel(node.domain, node.op, opset);
            if (!k) fail("node '", node.name, "' (", node.op, "): not implemented for opset ", std::to_string(opset));
            Step st{n, k, opset, {}, {}};
            bool foldable = true;
            for (const auto& name : node.inputs) {
                if (name.empty()) {
                    st.in.push_back(-1);
                    continue;
                }
                auto f = slot_of.find(name);
                if (f == slot_of.end())
                    fail("node '", node.name, "' (", node.op, "): input '", name, "' is not produced by any earlier node");
                st.in.push_back(f->second);
                foldable = foldable && (values[size_t(f->second)].defined() || deferred.count(f->second));
            }
            add_graphs(node, st);
            foldable = foldable && !never_folded(node) && st.graphs.empty();
            for (const auto& name : node.outputs) st.out.push_back(name.empty() ? -1 : slot(name));
            values.resize(slot_of.size());
            if (foldable && st.in.size() == 1 && st.out.size() == 1 && st.out[0] >= 0 && !deferred.count(st.in[0]) &&
                is_plain_transpose(node, values[size_t(st.in[0])])) {
                folded_slot.resize(values.size(), false);
                folded_slot[size_t(st.out[0])] = true;
                deferred.emplace(st.out[0], std::move(st));
                continue;
            }
            bool linear = !foldable && node.op == "MatMul" && node.domain.empty() && st.in.size() == 2 &&
                          st.in[1] >= 0 && deferred.count(st.in[1]) && st.out.size() == 1 && st.out[0] >= 0;
            for (size_t i = 0; i < st.in.size(); ++i)
                if (st.in[i] >= 0 && !(linear && i == 1)) materialize(st.in[i]);
            if (linear) {
                const Step& t = deferred.at(st.in[1]);
                st.linear_w = t.in[0];
                st.in[1] = t.in[0];  // the step reads W, not W^T
            } else if (!foldable && node.op == "MatMul" && node.domain.empty() && st.in.size() == 2 && st.in[1] >= 0 &&
                       st.out.size() == 1 && st.out[0] >= 0) {
                const Tensor& w = values[size_t(st.in[1])];  // MatMul(x, W) with W a 2-D float constant
                if (w.defined() && w.dtype == DType::f32 && w.rank() == 2) {
                    st.linear_w = st.in[1];
                    st.linear_wt = false;
                }
            }
            if (foldable) {
                run_step(st, values);
                folded_slot.resize(values.size(), false);
                for (int s : st.out)
                    if (s >= 0) folded_slot[size_t(s)] = true;
            } else {
                steps.push_back(std::move(st));
            }
        }
        for (const auto& o : model.outputs)
            if (slot_of.count(o.name)) materialize(slot_of[o.name]);
        values.resize(slot_of.size());
        folded_slot.resize(values.size(), false);
        fuse_bias();
        fuse_patterns();
        size_t linear_steps = 0;
        for (auto& st : steps)
            if (st.linear_w >= 0) st.linear_index = linear_steps++;
        packed_ptrs = std::make_unique<std::atomic<const PackedB*>[]>(std::max<size_t>(1, linear_steps));
        pack_calls = std::make_unique<std::atomic<int64_t>[]>(std::max<size_t>(1, linear_steps));
        for (size_t i = 0; i < linear_steps; ++i) {
            packed_ptrs[i].store(nullptr);
            pack_calls[i].store(0);
        }
        // A weight only Linear steps read is not touched again once packed: its pages of the
        // file mapping are dropped then, so the packed copy replaces it in the resident set.
        for (const auto& st : steps)
            for (size_t i = 0; i < st.in.size(); ++i)
                if (st.in[i] >= 0 && !(st.linear_w >= 0 && i == 1)) other_readers.insert(st.in[i]);
        for (const auto& o : model.outputs)
            if (slot_of.count(o.name)) other_readers.insert(slot_of[o.name]);
        const char* env = std::getenv("HFX_GEMM_PACK");
        pack_after = env && std::string(env) == "0" ? -1 : env && std::string(env) == "1" ? 1 : 2;
        // Folded intermediates nobody reads any more are dropped (weights stay mapped).
        std::vector<bool> used(values.size(), false);
        for (const auto& st : steps)
            for (int s : st.in)
                if (s >= 0) used[size_t(s)] = true;
        for (const auto& o : model.outputs)
            if (slot_of.count(o.name)) used[size_t(slot_of[o.name])] = true;
        for (size_t s = 0; s < values.size(); ++s)
            if (folded_slot[s] && !used[s]) values[s] = Tensor();
    }

    // Linear weights packed into the GEMM kernel's layout once instead of on every call
    // (Eigen packs the weight operand per call once it has a few rows). A step packs its
    // weight the `pack_after`-th time it multiplies kPackRows rows or more (2 by default;
    // HFX_GEMM_PACK=1: the first time, 0: never), then always uses it. Steps sharing a
    // weight share the copy. Runs on other threads pick the pointer up atomically;
    // dropped mapping pages refault from the file if anything reads them.
    static constexpr int64_t kPackRows = 4;
    int pack_after = 2;
    std::set<int> other_readers;  // slots read by something other than a Linear's weight operand
    std::map<std::pair<int, bool>, std::shared_ptr<const PackedB>> packed;  // (W slot, [n, k]) -> copy
    std::unique_ptr<std::atomic<const PackedB*>[]> packed_ptrs;            // per Linear step
    std::unique_ptr<std::atomic<int64_t>[]> pack_calls;                     // per Linear step
    std::mutex pack_mutex;

    const PackedB* packed_weight(const Step& st, int64_t m) {
        if (!packed_ptrs) return nullptr;
        const PackedB* p = packed_ptrs[st.linear_index].load(std::memory_order_acquire);
        if (p || pack_after < 0 || m < kPackRows || pack_calls[st.linear_index].fetch_add(1) + 1 < pack_after) return p;
        std::lock_guard<std::mutex> lock(pack_mutex);
        auto& copy = packed[{st.linear_w, st.linear_wt}];
        if (!copy) {
            const Tensor& w = constants[size_t(st.linear_w)];
            int64_t n = w.shape[st.linear_wt ? 0 : 1], k = w.shape[st.linear_wt ? 1 : 0];
            copy = pack_b(w.ptr<float>(), st.linear_wt, n, k);
            if (!other_readers.count(st.linear_w)) release_pages(w);
        }
        packed_ptrs[st.linear_index].store(copy.get(), std::memory_order_release);
        return copy.get();
    }

    // The node's graph attributes as Subgraphs, and the outer-scope names they read as
    // implicit inputs of the step.
    void add_graphs(const Node& node, Step& st);

    // Linear step + Add(its output, 1-D float constant of size n) -> one step, when the
    // Add is the only reader of the product and the product is no graph output.
    void fuse_bias() {
        std::vector<int> readers(constants.size(), 0);
        for (const auto& st : steps)
            for (int s : st.in)
                if (s >= 0) ++readers[size_t(s)];
        for (const auto& o : model.outputs)
            if (slot_of.count(o.name)) readers[size_t(slot_of[o.name])] += 2;
        std::vector<int> producer(constants.size(), -1);
        for (size_t i = 0; i < steps.size(); ++i)
            for (int s : steps[i].out)
                if (s >= 0) producer[size_t(s)] = int(i);
        std::vector<bool> drop(steps.size(), false);
        for (size_t i = 0; i < steps.size(); ++i) {
            Step& add = steps[i];
            const Node& node = model.nodes[add.node];
            if (node.op != "Add" || !node.domain.empty() || add.in.size() != 2 || add.out.size() != 1) continue;
            for (int side = 0; side < 2; ++side) {
                int prod = add.in[size_t(side)], bias = add.in[size_t(1 - side)];
                if (prod < 0 || bias < 0 || producer[size_t(prod)] < 0 || readers[size_t(prod)] != 1) continue;
                Step& mm = steps[size_t(producer[size_t(prod)])];
                const Tensor& b = constants[size_t(bias)];
                if (mm.linear_w < 0 || mm.linear_bias >= 0 || !b.defined() || b.dtype != DType::f32 || b.rank() != 1 ||
                    b.shape[0] != constants[size_t(mm.linear_w)].shape[mm.linear_wt ? 0 : 1])
                    continue;
                mm.linear_bias = bias;
                mm.in.push_back(bias);
                mm.bias_node = add.node;
                mm.out[0] = add.out[0];
                drop[i] = true;
                break;
            }
        }
        std::vector<Step> kept;
        for (size_t i = 0; i < steps.size(); ++i)
            if (!drop[i]) kept.push_back(std::move(steps[i]));
        steps = std::move(kept);
    }

    // LayerNorm decomposed by the opset < 17 lowering and erf-GELU, each into one step.
    void fuse_patterns() {
        size_t count = constants.size();
        std::vector<std::vector<int>> readers(count);
        for (size_t i = 0; i < steps.size(); ++i)
            for (int s : steps[i].in)
                if (s >= 0) readers[size_t(s)].push_back(int(i));
        for (const auto& o : model.outputs)
            if (slot_of.count(o.name)) readers[size_t(slot_of[o.name])].push_back(-1);  // never fused away
        auto op_is = [&](int i, const char* op) {
            const Node& n = model.nodes[steps[size_t(i)].node];
            return steps[size_t(i)].fused == Step::None && steps[size_t(i)].linear_w < 0 && n.domain.empty() && n.op == op;
        };
        // The only reader of `s`, if it is an `op` step.
        auto only = [&](int s, const char* op) -> int {
            if (s < 0 || readers[size_t(s)].size() != 1) return -1;
            int r = readers[size_t(s)][0];
            return r >= 0 && op_is(r, op) ? r : -1;
        };
        bool rank1_scalar = false;  // a [1] constant was matched: a rank-0 input would become [1]
        auto scalar = [&](int s, float* v) {
            if (s < 0) return false;
            const Tensor& t = constants[size_t(s)];
            // rank <= 1, so broadcasting it cannot change the shape of a rank >= 1 operand
            if (!t.defined() || t.dtype != DType::f32 || t.numel() != 1 || t.rank() > 1) return false;
            if (t.rank() == 1) rank1_scalar = true;
            *v = t.ptr<float>()[0];
            return true;
        };
        auto vec = [&](int s) {
            const Tensor& t = s >= 0 ? constants[size_t(s)] : Tensor();
            return t.defined() && t.dtype == DType::f32 && t.rank() == 1 ? t.shape[0] : int64_t(-1);
        };
        // The other input of a two-input step, given one of them.
        auto other = [&](int i, int s) -> int {
            const Step& st = steps[size_t(i)];
            if (st.in.size() != 2) return -1;
            return st.in[0] == s ? st.in[1] : st.in[1] == s ? st.in[0] : -1;
        };
        auto last_axis_mean = [&](int i) {
            const Node& n = model.nodes[steps[size_t(i)].node];
            return steps[size_t(i)].in.size() == 1 && n.attr_ints("axes") == std::vector<int64_t>{-1} &&
                   n.attr_i("keepdims", 1) == 1;
        };
        std::vector<bool> drop(steps.size(), false);
        for (size_t i0 = 0; i0 < steps.size(); ++i0) {
            int i = int(i0);
            if (drop[i0]) continue;
            if (op_is(i, "ReduceMean") && last_axis_mean(i)) {
                int x = steps[i0].in[0], m = steps[i0].out[0];
                int sub = only(m, "Sub");
                if (sub < 0 || steps[size_t(sub)].in != std::vector<int>{x, m}) continue;
                int d = steps[size_t(sub)].out[0];
                if (readers[size_t(d)].size() != 2) continue;
                int pw = -1, dv = -1;
                for (int r : readers[size_t(d)]) {
                    if (r >= 0 && op_is(r, "Pow")) pw = r;
                    if (r >= 0 && op_is(r, "Div")) dv = r;
                }
                float two = 0, eps = 0;
                if (pw < 0 || dv < 0 || steps[size_t(pw)].in.size() != 2 || steps[size_t(pw)].in[0] != d ||
                    !scalar(steps[size_t(pw)].in[1], &two) || two != 2.f)
                    continue;
                int r2 = only(steps[size_t(pw)].out[0], "ReduceMean");
                if (r2 < 0 || !last_axis_mean(r2)) continue;
                int ad = only(steps[size_t(r2)].out[0], "Add");
                if (ad < 0 || !scalar(other(ad, steps[size_t(r2)].out[0]), &eps)) continue;
                int sq = only(steps[size_t(ad)].out[0], "Sqrt");
                if (sq < 0 || only(steps[size_t(sq)].out[0], "Div") != dv ||
                    steps[size_t(dv)].in != std::vector<int>{d, steps[size_t(sq)].out[0]})
                    continue;
                int mu = only(steps[size_t(dv)].out[0], "Mul");
                if (mu < 0) continue;
                int gamma = other(mu, steps[size_t(dv)].out[0]);
                int64_t n = vec(gamma);
                if (n < 0) continue;
                int sc = steps[size_t(mu)].out[0], beta = -1, last = mu;
                int bt = only(sc, "Add");
                if (bt >= 0 && vec(other(bt, sc)) == n) {
                    beta = other(bt, sc);
                    last = bt;
                }
                Step& f = steps[i0];
                f.fused = Step::LayerNorm;
                f.param = eps;
                f.in = {x, gamma, beta};
                f.out = {steps[size_t(last)].out[0]};
                for (int k : {sub, pw, r2, ad, sq, dv, mu, last}) drop[size_t(k)] = k != i;
                drop[i0] = false;
                continue;
            }
            if (op_is(i, "Mul") || op_is(i, "Div")) {  // u = x * c (or x / (1/c)), then Erf ...
                const Step& st = steps[i0];
                rank1_scalar = false;
                if (st.in.size() != 2) continue;
                float c = 0;
                bool div = op_is(i, "Div");
                int x = -1;
                if (scalar(st.in[1], &c)) x = st.in[0];
                else if (!div && scalar(st.in[0], &c)) x = st.in[1];
                if (x < 0 || c == 0.f) continue;
                if (div) c = 1.f / c;
                if (std::abs(c - float(1.0 / std::sqrt(2.0))) > 1e-6f) continue;
                int er = only(st.out[0], "Erf");
                if (er < 0) continue;
                int ad = only(steps[size_t(er)].out[0], "Add");
                float one = 0, half = 0;
                if (ad < 0 || !scalar(other(ad, steps[size_t(er)].out[0]), &one) || one != 1.f) continue;
                int m1 = only(steps[size_t(ad)].out[0], "Mul");
                if (m1 < 0 || other(m1, steps[size_t(ad)].out[0]) != x) continue;
                int m2 = only(steps[size_t(m1)].out[0], "Mul");
                if (m2 < 0 || !scalar(other(m2, steps[size_t(m1)].out[0]), &half) || half != 0.5f) continue;
                Step& f = steps[i0];
                f.fused = Step::Gelu;
                f.param = c;
                f.min_rank = rank1_scalar ? 1 : 0;
                f.in = {x};
                f.out = {steps[size_t(m2)].out[0]};
                for (int k : {er, ad, m1, m2}) drop[size_t(k)] = true;
            }
        }
        std::vector<Step> kept;
        for (size_t i = 0; i < steps.size(); ++i)
            if (!drop[i]) kept.push_back(std::move(steps[i]));
        steps = std::move(kept);
    }

    void check_feeds(const std::map<std::string, Value>& feeds) {
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

    // Which steps a set of requested outputs needs and where each value is read last:
    // worked out once per output set, then reused by every run asking for it.
    struct Plan {
        std::vector<bool> run_step, keep;
        std::vector<int64_t> last_use;
    };
    std::map<std::vector<int>, Plan> plans;  // entries are never erased: references stay valid
    std::mutex plans_mutex;

    const Plan& plan_for(const std::vector<int>& want) {
        std::lock_guard<std::mutex> lock(plans_mutex);
        auto found = plans.find(want);
        if (found != plans.end()) return found->second;
        // Only the steps the requested outputs depend on run; each value is freed after its last reader.
        Plan p;
        size_t count = constants.size();
        std::vector<bool> need(count, false);
        p.keep.assign(count, false);
        for (int s : want) need[size_t(s)] = p.keep[size_t(s)] = true;
        p.run_step.assign(steps.size(), false);
        p.last_use.assign(count, -1);
        for (int64_t i = int64_t(steps.size()) - 1; i >= 0; --i) {
            const Step& st = steps[size_t(i)];
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
        return plans.emplace(want, std::move(p)).first->second;
    }

    std::vector<int> slots_of(const std::vector<std::string>& names) {
        std::vector<int> want;
        for (const auto& n : names) {
            auto it = slot_of.find(n);
            if (it == slot_of.end()) fail("output '", n, "': not a value of the model");
            want.push_back(it->second);
        }
        return want;
    }

    // Runs the steps `want` needs with `inputs` bound to model.inputs in order, on the
    // thread's current pool and allocator.
    std::vector<Value> run_core(const std::vector<int>& want, const std::vector<Value>& inputs) {
        std::vector<Tensor> values = constants;
        std::vector<SequencePtr> seqs(values.size());
        for (size_t i = 0; i < input_slots.size(); ++i) {
            size_t s = size_t(input_slots[i]);
            if (inputs[i].is_sequence()) seqs[s] = inputs[i].sequence;
            else values[s] = inputs[i].tensor;
        }
        const Plan& plan = plan_for(want);
        for (size_t i = 0; i < steps.size(); ++i) {
            if (!plan.run_step[i]) continue;
            run_step(steps[i], values, &seqs);
            for (int s : steps[i].in)
                if (s >= 0 && plan.last_use[size_t(s)] == int64_t(i) && !plan.keep[size_t(s)]) {
                    values[size_t(s)] = Tensor();
                    seqs[size_t(s)] = nullptr;
                }
        }
        std::vector<Value> out;
        for (int s : want) {
            if (seqs[size_t(s)]) out.emplace_back(seqs[size_t(s)]);
            else if (values[size_t(s)].defined()) out.emplace_back(values[size_t(s)]);
            else fail("output '", slot_name(s), "': was not computed");
        }
        return out;
    }

    std::vector<Value> run(const std::vector<std::string>& names, const std::map<std::string, Value>& feeds) {
        check_feeds(feeds);
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
            if (!out[i].is_sequence() && constants[size_t(want[i])].defined()) out[i].tensor = out[i].tensor.clone();
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

void Session::Impl::add_graphs(const Node& node, Step& st) {
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
                auto f = slot_of.find(name);
                if (f == slot_of.end())
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
            auto f = body->impl->slot_of.find(o.name);
            if (f == body->impl->slot_of.end()) fail(body->what, ": output '", o.name, "' is not computed");
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
    if (impl_) impl_->print_profile();
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
    for (const auto& st : impl_->steps) out.push_back(impl_->step_name(st));
    return out;
}

std::vector<std::string> Session::output_names() const {
    std::vector<std::string> out;
    for (const auto& v : impl_->model.outputs) out.push_back(v.name);
    return out;
}

}  // namespace hfx::rt
