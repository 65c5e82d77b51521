#include "runtime/fuse/view.h"

#include "core/error.h"

namespace hfx::rt::fuse {

View::View(const Plan& p) : plan(p), readers(p.constants.size()), producer(p.constants.size(), -1) {
    for (size_t i = 0; i < p.steps.size(); ++i) {
        for (int s : p.steps[i].in)
            if (s >= 0) readers[size_t(s)].push_back(int(i));
        for (int s : p.steps[i].out)
            if (s >= 0) producer[size_t(s)] = int(i);
    }
    for (int s : p.output_slots) readers[size_t(s)].push_back(-1);
}

const Node& View::node(int i) const { return plan.steps[size_t(i)].node_of(*plan.model); }

bool View::op_is(int i, const char* op) const {
    const Step& st = plan.steps[size_t(i)];
    const Node& n = plan.model->nodes[st.node];
    return !st.is_fused() && n.domain.empty() && n.op == op;
}

int View::only(int s, const char* op) const {
    if (s < 0 || readers[size_t(s)].size() != 1) return -1;
    int r = readers[size_t(s)][0];
    return r >= 0 && op_is(r, op) ? r : -1;
}

bool View::scalar(int s, float* v, bool* rank1) const {
    if (s < 0) return false;
    const Tensor& t = plan.constants[size_t(s)];
    if (!t.defined() || t.dtype != DType::f32 || t.numel() != 1 || t.rank() > 1) return false;
    if (t.rank() == 1 && rank1) *rank1 = true;
    *v = t.ptr<float>()[0];
    return true;
}

int64_t View::vec(int s) const {
    if (s < 0) return -1;
    const Tensor& t = plan.constants[size_t(s)];
    return t.defined() && t.dtype == DType::f32 && t.rank() == 1 ? t.shape[0] : int64_t(-1);
}

int View::other(int i, int s) const {
    const Step& st = plan.steps[size_t(i)];
    if (st.in.size() != 2) return -1;
    return st.in[0] == s ? st.in[1] : st.in[1] == s ? st.in[0] : -1;
}

std::shared_ptr<Node> fused_node(const Plan& plan, const Step& first, const std::vector<int>& in,
                                 const std::vector<int>& out) {
    const Node& from = first.node_of(*plan.model);
    auto n = std::make_shared<Node>();
    n->name = from.name;
    n->op = from.op;  // messages name the node the run starts with
    n->domain = kFusedDomain;
    for (int s : in) n->inputs.push_back(s >= 0 ? plan.names[size_t(s)] : std::string());
    for (int s : out) n->outputs.push_back(s >= 0 ? plan.names[size_t(s)] : std::string());
    return n;
}

void make_fused(Plan& plan, Step& st, const char* op, std::vector<int> in, std::vector<int> out, Attrs attrs) {
    const KernelEntry* k = find_kernel(kFusedDomain, op, 1);
    if (!k) fail(ErrorKind::internal, "fused kernel '", op, "': not in the kernel table");
    auto n = fused_node(plan, st, in, out);
    for (auto& [key, a] : attrs) n->attrs[key] = std::move(a);
    st.kernel = k;
    st.opset = 1;
    st.in = std::move(in);
    st.out = std::move(out);
    st.fused = std::move(n);
}

void drop_steps(Plan& plan, const std::vector<bool>& drop) {
    std::vector<Step> kept;
    kept.reserve(plan.steps.size());
    for (size_t i = 0; i < plan.steps.size(); ++i)
        if (!drop[i]) kept.push_back(std::move(plan.steps[i]));
    plan.steps = std::move(kept);
}

Attr int_attr(int64_t v) {
    Attr a;
    a.kind = Attr::Int;
    a.i = v;
    return a;
}

Attr float_attr(float v) {
    Attr a;
    a.kind = Attr::Float;
    a.f = v;
    return a;
}

}  // namespace hfx::rt::fuse
