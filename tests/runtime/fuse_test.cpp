// Each fusion pass alone, before/after on a small graph: the steps it plans and
// that the fused plan computes what the plan without the pass does.
#include <cmath>
#include <random>

#include "export/lower.h"
#include "model_builder.h"
#include "runtime/fuse/fuse.h"
#include "runtime/plan.h"

using namespace hfx;
using namespace hfx::test;

namespace {
rt::Plan plan_of(const Model& m) {
    rt::ExecOptions run{&m, nullptr, 1};
    return rt::plan_graph(
        m, [](const rt::Plan&, const Node&, rt::Step&) {}, run);
}

std::string steps_of(const rt::Plan& p) {
    std::string s;
    for (const auto& st : p.steps) s += (s.empty() ? "" : " ") + rt::step_name(*p.model, st);
    return s;
}

// Runs every step with `x` bound to the first input; returns the first output.
Tensor run(rt::Plan p, const Tensor& x) {
    rt::ExecOptions o{p.model, &p.names, 1};
    rt::finish_plan(p, o);
    std::vector<Tensor> values = p.constants;
    values[size_t(p.input_slots[0])] = x;
    std::vector<rt::SequencePtr> seqs(values.size());
    for (const auto& st : p.steps) rt::execute_step(st, values, &seqs, o);
    return values[size_t(p.output_slots[0])];
}

Tensor random_f32(Shape s, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> nd(0.f, 1.f);
    std::vector<float> v(size_t(shape_numel(s)));
    for (auto& x : v) x = nd(rng);
    return f32(std::move(s), v);
}

void expect_close(const Tensor& a, const Tensor& b, float tol = 1e-5f) {
    ASSERT_EQ(a.shape, b.shape);
    for (int64_t i = 0; i < a.numel(); ++i) EXPECT_NEAR(a.ptr<float>()[i], b.ptr<float>()[i], tol) << i;
}

// One float input x, one output y; the tests add the nodes between.
Model graph_with_input() {
    Model m;
    m.opsets[""] = 17;
    m.inputs = {ValueInfo{"x", DType::f32, {}, {}}};
    m.outputs = {ValueInfo{"y", DType::f32, {}, {}}};
    return m;
}

// x [2, 3, 4] -> MatMul(x, Transpose(W [5, 4])) -> h [+ b] -> y
Model linear(bool bias, bool product_is_output = false) {
    Model m = graph_with_input();
    m.initializers = {{"w", random_f32({5, 4}, 1)}, {"b", random_f32({5}, 2)}};
    add_node(m, "Transpose", {"w"}, "wt", {{"perm", ints_attr({1, 0})}});
    add_node(m, "MatMul", {"x", "wt"}, bias ? "h" : "y");
    if (bias) add_node(m, "Add", {"h", "b"}, "y");
    if (product_is_output) m.outputs.push_back(ValueInfo{"h", DType::f32, {}, {}});
    return m;
}
}  // namespace

TEST(FusePass, LinearReadsTheWeightAsStored) {
    Model m = linear(false);
    rt::Plan before = plan_of(m), after = plan_of(m);
    EXPECT_EQ(steps_of(before), "MatMul");  // the Transpose is deferred, not a step
    rt::fuse_linear(after);
    EXPECT_EQ(steps_of(after), "Linear");
    EXPECT_EQ(after.steps[0].in[1], after.slot_of.at("w"));
    Tensor x = random_f32({2, 3, 4}, 3);
    expect_close(run(std::move(after), x), run(std::move(before), x));
}

TEST(FusePass, LinearBiasFoldsTheAdd) {
    Model m = linear(true);
    rt::Plan before = plan_of(m);
    rt::fuse_linear(before);
    rt::Plan after = before;
    EXPECT_EQ(steps_of(before), "Linear Add");
    rt::fuse_linear_bias(after);
    EXPECT_EQ(steps_of(after), "Linear+Add");
    Tensor x = random_f32({2, 3, 4}, 4);
    expect_close(run(std::move(after), x), run(std::move(before), x));
}

TEST(FusePass, LinearBiasKeepsAProductSomeoneElseReads) {
    rt::Plan p = plan_of(linear(true, true));
    rt::fuse_linear(p);
    rt::fuse_linear_bias(p);
    EXPECT_EQ(steps_of(p), "Linear Add");
}

TEST(FusePass, LayerNormFromTheOpset11Lowering) {
    Model m = graph_with_input();
    m.initializers = {{"g", random_f32({8}, 5)}, {"beta", random_f32({8}, 6)}};
    Attrs ln;
    ln["axis"] = int_attr(-1);
    Attr eps;
    eps.kind = Attr::Float;
    eps.f = 1e-5f;
    ln["epsilon"] = eps;
    add_node(m, "LayerNormalization", {"x", "g", "beta"}, "y", ln);
    Model lowered = lower(m, 11);
    rt::Plan before = plan_of(lowered), after = plan_of(lowered);
    EXPECT_NE(steps_of(before).find("ReduceMean"), std::string::npos) << steps_of(before);
    rt::fuse_layer_norm(after);
    EXPECT_EQ(steps_of(after), "LayerNorm");
    Tensor x = random_f32({2, 3, 8}, 7);
    expect_close(run(std::move(after), x), run(std::move(before), x), 1e-4f);
}

TEST(FusePass, GeluFromTheErfForm) {
    Model m = graph_with_input();
    m.initializers = {
        {"c", f32({}, {float(1.0 / std::sqrt(2.0))})}, {"one", f32({}, {1.f})}, {"half", f32({}, {0.5f})}};
    add_node(m, "Mul", {"x", "c"}, "u");
    add_node(m, "Erf", {"u"}, "e");
    add_node(m, "Add", {"e", "one"}, "e1");
    add_node(m, "Mul", {"x", "e1"}, "g0");
    add_node(m, "Mul", {"g0", "half"}, "y");
    rt::Plan before = plan_of(m), after = plan_of(m);
    EXPECT_EQ(steps_of(before), "Mul Erf Add Mul Mul");
    rt::fuse_gelu(after);
    EXPECT_EQ(steps_of(after), "Gelu");
    Tensor x = random_f32({2, 6}, 8);
    expect_close(run(std::move(after), x), run(std::move(before), x));
}

TEST(FusePass, GeluNeedsTheErfConstant) {
    Model m = graph_with_input();
    m.initializers = {{"c", f32({}, {0.5f})}, {"one", f32({}, {1.f})}, {"half", f32({}, {0.5f})}};
    add_node(m, "Mul", {"x", "c"}, "u");
    add_node(m, "Erf", {"u"}, "e");
    add_node(m, "Add", {"e", "one"}, "e1");
    add_node(m, "Mul", {"x", "e1"}, "g0");
    add_node(m, "Mul", {"g0", "half"}, "y");
    rt::Plan p = plan_of(m);
    rt::fuse_gelu(p);
    EXPECT_EQ(steps_of(p), "Mul Erf Add Mul Mul");
}

TEST(FusePass, ModelsCannotUseTheFusedDomain) {
    Model m = graph_with_input();
    m.opsets[rt::kFusedDomain] = 1;
    add_node(m, "Gelu", {"x"}, "y");
    m.nodes[0].domain = rt::kFusedDomain;
    try {
        plan_of(m);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("is the runtime's own"), std::string::npos) << e.what();
    }
}
