// Session planning fuses Linear (MatMul(x, Transpose(W)) + Add(b)), the lowered
// LayerNorm and erf-GELU; the fused steps must compute what the unfused graph does.
// The same graph with its constants fed as inputs is not fused: it is the reference.
#include <random>

#include "export/lower.h"
#include "model_builder.h"

using namespace hfx;
using namespace hfx::test;

namespace {
Tensor random_f32(Shape s, std::mt19937& rng, float scale = 1.f) {
    std::normal_distribution<float> nd(0.f, scale);
    std::vector<float> v(size_t(shape_numel(s)));
    for (auto& x : v) x = nd(rng);
    return f32(std::move(s), v);
}

// x [2, 5, 8] -> Linear(8 -> 16) -> erf-GELU -> Linear(16 -> 8) -> LayerNorm, lowered to `opset`.
Model block(int64_t opset, std::mt19937& rng) {
    Model m;
    m.opsets[""] = 17;
    m.inputs = {ValueInfo{"x", DType::f32, {{-1, "batch"}, {-1, "sequence"}, {8, ""}}, {}}};
    m.outputs = {ValueInfo{"y", DType::f32, {}, {}}};
    m.initializers = {{"w1", random_f32({16, 8}, rng)},
                      {"b1", random_f32({16}, rng)},
                      {"w2", random_f32({8, 16}, rng)},
                      {"b2", random_f32({8}, rng)},
                      {"g", random_f32({8}, rng, 0.1f)},
                      {"beta", random_f32({8}, rng)},
                      {"c", f32({}, {float(1.0 / std::sqrt(2.0))})},
                      {"one", f32({}, {1.f})},
                      {"half", f32({}, {0.5f})}};
    m.initializers["g"] = f32({8}, {1, 1.1f, 0.9f, 1, 1.2f, 0.8f, 1, 1});
    add_node(m, "Transpose", {"w1"}, "w1t", {{"perm", ints_attr({1, 0})}});
    add_node(m, "MatMul", {"x", "w1t"}, "h0");
    add_node(m, "Add", {"h0", "b1"}, "h1");
    add_node(m, "Mul", {"h1", "c"}, "u");
    add_node(m, "Erf", {"u"}, "e");
    add_node(m, "Add", {"e", "one"}, "e1");
    add_node(m, "Mul", {"h1", "e1"}, "g0");
    add_node(m, "Mul", {"g0", "half"}, "g1");
    add_node(m, "Transpose", {"w2"}, "w2t");
    add_node(m, "MatMul", {"g1", "w2t"}, "h2");
    add_node(m, "Add", {"b2", "h2"}, "h3");
    Attrs ln;
    ln["axis"] = int_attr(-1);
    Attr eps;
    eps.kind = Attr::Float;
    eps.f = 1e-5f;
    ln["epsilon"] = eps;
    add_node(m, "LayerNormalization", {"h3", "g", "beta"}, "y", ln);
    return lower(m, opset);
}
}  // namespace

TEST(Fusion, FusedStepsMatchTheUnfusedGraph) {
    for (int64_t opset : {11, 14, 17}) {
        std::mt19937 rng(7);
        Model fused = block(opset, rng);
        Model plain = fused;  // constants become inputs: nothing can be folded or fused
        std::map<std::string, Tensor> feeds = {{"x", random_f32({2, 5, 8}, rng)}};
        for (const auto& [name, t] : plain.initializers) {
            plain.inputs.push_back(ValueInfo{name, t.dtype, {}, {}});
            feeds[name] = t;
        }
        plain.initializers.clear();
        rt::Session fs(std::move(fused)), ps(std::move(plain));
        std::vector<std::string> steps = fs.planned_steps();
        std::string joined;
        for (const auto& s : steps) joined += s + " ";
        if (opset < 17) EXPECT_EQ(joined, "Linear+Add Gelu Linear+Add LayerNorm ") << "opset " << opset;
        else EXPECT_EQ(joined, "Linear+Add Gelu Linear+Add LayerNormalization ") << "opset " << opset;
        Tensor want = ps.run({}, feeds)[0];
        Tensor got = fs.run({}, {{"x", feeds.at("x")}})[0];
        ASSERT_EQ(shape_str(got.shape), "(2, 5, 8)");
        expect_f32(got, want.shape, std::vector<float>(want.ptr<float>(), want.ptr<float>() + want.numel()), 1e-5f);
        // The second run reads the weights packed for the GEMM kernel (HFX_GEMM_PACK unset).
        Tensor again = fs.run({}, {{"x", feeds.at("x")}})[0];
        expect_f32(again, want.shape, std::vector<float>(want.ptr<float>(), want.ptr<float>() + want.numel()), 1e-5f);
    }
}

TEST(Fusion, TransposedWeightReadElsewhereIsStillComputed) {
    // W^T feeds a MatMul (fused: reads W) and is also a graph output (materialised).
    Model m = one_node("Transpose", 17, {"w"}, {{"w", f32({2, 3}, {1, 2, 3, 4, 5, 6})}});
    m.nodes[0].outputs = {"wt"};
    m.outputs = {ValueInfo{"y", DType::f32, {}, {}}, ValueInfo{"wt", DType::f32, {}, {}}};
    add_node(m, "MatMul", {"x", "wt"}, "y");
    m.inputs = {ValueInfo{"x", DType::f32, {}, {}}};
    rt::Session s(std::move(m));
    EXPECT_EQ(s.planned_steps(), std::vector<std::string>{"Linear"});
    auto out = s.run({}, {{"x", f32({1, 3}, {1, 1, 1})}});
    expect_f32(out[0], {1, 2}, {6, 15});
    expect_f32(out[1], {3, 2}, {1, 4, 2, 5, 3, 6});
}

TEST(Fusion, LinearChecksShapes) {
    Model m = one_node("Transpose", 17, {"w"}, {{"w", f32({2, 3}, {1, 2, 3, 4, 5, 6})}});
    m.nodes[0].outputs = {"wt"};
    m.nodes[0].name = "t";
    m.outputs = {ValueInfo{"y", DType::f32, {}, {}}};
    add_node(m, "MatMul", {"x", "wt"}, "y");
    m.inputs = {ValueInfo{"x", DType::f32, {}, {}}};
    rt::Session s(std::move(m));
    try {
        s.run({}, {{"x", f32({1, 2}, {1, 1})}});
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "node 'MatMul_y' (MatMul): shapes (1, 2) and (3, 2) do not multiply");
    }
}

TEST(Fusion, MatMulByConstantWeightIsALinearStep) {
    // Other exporters' Linear: MatMul(x, W [k, n]) + Add(b), W read as stored.
    Model m = one_node("MatMul", 17, {"x", "w"}, {{"w", f32({3, 2}, {1, 2, 3, 4, 5, 6})}, {"b", f32({2}, {10, 20})}});
    m.nodes[0].outputs = {"h"};
    m.outputs = {ValueInfo{"y", DType::f32, {}, {}}};
    add_node(m, "Add", {"h", "b"}, "y");
    rt::Session s(std::move(m));
    EXPECT_EQ(s.planned_steps(), std::vector<std::string>{"Linear+Add"});
    expect_f32(s.run({}, {{"x", f32({2, 3}, {1, 1, 1, 1, 0, 0})}})[0], {2, 2}, {19, 32, 11, 22});
}
