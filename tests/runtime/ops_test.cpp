// Hand-written op tests for version differences and the patterns transformer
// graphs use; the ONNX backend node data (hfx_conformance) covers the rest.
#include "model_builder.h"

#include <cmath>

#include "runtime/ops/gemm_util.h"

using namespace hfx;
using namespace hfx::test;

TEST(Ops, UnsqueezeAxesAttributeBefore13InputFrom13) {
    Tensor x = f32({2}, {1, 2});
    rt::Session old_s(one_node("Unsqueeze", 11, {"x"}, {}, 1, {{"axes", ints_attr({0, -1})}}));
    EXPECT_EQ(shape_str(old_s.run({}, {{"x", x}})[0].shape), "(1, 2, 1)");
    rt::Session new_s(one_node("Unsqueeze", 13, {"x", "axes"}, {{"axes", i64({1}, {1})}}));
    EXPECT_EQ(shape_str(new_s.run({}, {{"x", x}})[0].shape), "(2, 1)");
}

TEST(Ops, SoftmaxCoercesTo2DBefore13) {
    Tensor x = f32({1, 2, 2}, {0, 0, 0, 0});
    rt::Session s11(one_node("Softmax", 11, {"x"}, {}));
    expect_f32(s11.run({}, {{"x", x}})[0], {1, 2, 2}, {0.25f, 0.25f, 0.25f, 0.25f});
    rt::Session s13(one_node("Softmax", 13, {"x"}, {}));
    expect_f32(s13.run({}, {{"x", x}})[0], {1, 2, 2}, {0.5f, 0.5f, 0.5f, 0.5f});
}

TEST(Ops, MatMulBroadcastsBatchAndSharedWeight) {
    Tensor a = f32({2, 1, 2}, {1, 2, 3, 4});
    Tensor w = f32({2, 2}, {1, 0, 0, 2});
    rt::Session s(one_node("MatMul", 17, {"a", "w"}, {{"w", w}}));
    expect_f32(s.run({}, {{"a", a}})[0], {2, 1, 2}, {1, 4, 3, 8});
    Tensor b = f32({1, 2, 1}, {1, 1});
    rt::Session s2(one_node("MatMul", 17, {"a", "b"}, {}));
    expect_f32(s2.run({}, {{"a", a}, {"b", b}})[0], {2, 1, 1}, {3, 7});
}

TEST(Ops, EinsumAttentionScores) {
    Tensor q = f32({1, 1, 2, 2}, {1, 0, 0, 1});
    Tensor k = f32({1, 1, 3, 2}, {1, 2, 3, 4, 5, 6});
    Attrs attrs{{"equation", str_attr("bhqd,bhkd->bhqk")}};
    rt::Session s(one_node("Einsum", 12, {"q", "k"}, {}, 1, attrs));
    expect_f32(s.run({}, {{"q", q}, {"k", k}})[0], {1, 1, 2, 3}, {1, 3, 5, 2, 4, 6});
}

TEST(Ops, ReduceMeanAxesAttributeBefore18) {
    Tensor x = f32({2, 2}, {1, 2, 3, 4});
    rt::Session s(one_node("ReduceMean", 17, {"x"}, {}, 1, {{"axes", ints_attr({-1})}, {"keepdims", int_attr(0)}}));
    expect_f32(s.run({}, {{"x", x}})[0], {2}, {1.5f, 3.5f});
    rt::Session s18(one_node("ReduceMean", 18, {"x", "axes"}, {{"axes", i64({1}, {0})}}));
    expect_f32(s18.run({}, {{"x", x}})[0], {1, 2}, {2, 3});
}

TEST(Ops, ConvOneDimensionalWithPadding) {
    Tensor x = f32({1, 1, 4}, {1, 2, 3, 4});
    Tensor w = f32({1, 1, 3}, {1, 1, 1});
    rt::Session s(one_node("Conv", 17, {"x", "w"}, {{"w", w}}, 1, {{"pads", ints_attr({1, 1})}}));
    expect_f32(s.run({}, {{"x", x}})[0], {1, 1, 4}, {3, 6, 9, 7});
}

TEST(Ops, KernelErrorsNameTheNode) {
    rt::Session s(one_node("Reshape", 17, {"x", "shape"}, {{"shape", i64({1}, {5})}}));
    try {
        s.run({}, {{"x", f32({2, 2}, {1, 2, 3, 4})}});
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()), "node 'n' (Reshape): cannot reshape (2, 2) to (5,)");
    }
}

namespace {
Node node(const std::string& op, std::vector<std::string> in, std::vector<std::string> out, Attrs attrs = {}) {
    Node n;
    n.op = op;
    n.name = op + "_" + out[0];
    n.inputs = std::move(in);
    n.outputs = std::move(out);
    n.attrs = std::move(attrs);
    return n;
}
ValueInfo value(const std::string& name, DType t = DType::undefined, std::vector<Dim> dims = {}, bool seq = false) {
    ValueInfo v{name, t, std::move(dims), {}};
    v.sequence = seq;
    return v;
}
}  // namespace

TEST(Ops, SplitToSequenceAndConcatFromSequence) {
    Model m;
    m.opsets[""] = 17;
    m.inputs = {value("x")};
    m.initializers["two"] = i64({}, {2});
    m.nodes.push_back(node("SplitToSequence", {"x", "two"}, {"parts"}, {{"axis", int_attr(1)}}));
    m.nodes.push_back(node("SequenceLength", {"parts"}, {"n"}));
    m.nodes.push_back(node("ConcatFromSequence", {"parts"}, {"back"}, {{"axis", int_attr(-1)}}));
    m.nodes.push_back(node("SplitToSequence", {"x"}, {"cols"}, {{"axis", int_attr(1)}, {"keepdims", int_attr(0)}}));
    m.nodes.push_back(node("SequenceErase", {"cols"}, {"cols4"}));
    m.nodes.push_back(
        node("ConcatFromSequence", {"cols4"}, {"stacked"}, {{"axis", int_attr(0)}, {"new_axis", int_attr(1)}}));
    m.outputs = {value("parts", DType::f32, {}, true), value("n"), value("back"), value("stacked")};
    rt::Session s(std::move(m));
    Tensor x = f32({2, 5}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    auto out = s.run_values({}, {{"x", x}});
    ASSERT_TRUE(out[0].is_sequence());
    ASSERT_EQ(out[0].sequence->items.size(), 3u);
    EXPECT_EQ(shape_str(out[0].sequence->items[2].shape), "(2, 1)");
    expect_f32(out[0].sequence->items[1], {2, 2}, {2, 3, 7, 8});
    EXPECT_EQ(out[1].tensor.ptr<int64_t>()[0], 3);
    expect_f32(out[2].tensor, {2, 5}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    expect_f32(out[3].tensor, {4, 2}, {0, 5, 1, 6, 2, 7, 3, 8});
    EXPECT_THROW(s.run({"parts"}, {{"x", x}}), Error);  // a sequence output needs run_values
}

// The torch-exported GPT-J pattern: the body reads an outer-scope sequence, declares
// iter_num as [1], carries a sequence and scans a tensor.
TEST(Ops, LoopCarriesSequencesAndReadsOuterScope) {
    auto body = std::make_shared<Model>();
    body->opsets[""] = 17;
    body->inputs = {value("i", DType::i64, {Dim{1, ""}}), value("c", DType::boolean),
                    value("acc", DType::f32, {}, true)};
    body->initializers["k"] = f32({}, {2});
    body->nodes.push_back(node("SequenceAt", {"rows", "i"}, {"row"}));
    body->nodes.push_back(node("Mul", {"row", "k"}, {"twice"}));
    body->nodes.push_back(node("SequenceInsert", {"acc", "twice"}, {"acc2"}));
    body->nodes.push_back(node("Identity", {"c"}, {"c2"}));
    body->outputs = {value("c2"), value("acc2", DType::f32, {}, true), value("twice")};
    Attr g;
    g.kind = Attr::Graph;
    g.g = body;
    Model m;
    m.opsets[""] = 17;
    m.inputs = {value("x"), value("trips")};
    m.initializers["yes"] = Tensor::from(DType::boolean, {}, std::vector<uint8_t>{1});
    m.nodes.push_back(node("SplitToSequence", {"x"}, {"rows"}));
    m.nodes.push_back(node("SequenceEmpty", {}, {"empty"}));
    m.nodes.push_back(node("Loop", {"trips", "yes", "empty"}, {"final", "scan"}, {{"body", g}}));
    m.nodes.push_back(node("ConcatFromSequence", {"final"}, {"y"}, {{"axis", int_attr(0)}}));
    m.outputs = {value("y"), value("scan")};
    rt::Session s(std::move(m));
    Tensor x = f32({3, 2}, {1, 2, 3, 4, 5, 6});
    auto out = s.run({}, {{"x", x}, {"trips", i64({}, {3})}});
    expect_f32(out[0], {3, 2}, {2, 4, 6, 8, 10, 12});
    expect_f32(out[1], {3, 1, 2}, {2, 4, 6, 8, 10, 12});
    // Zero trips: the carried sequence stays empty (nothing to concatenate), scans are [0].
    EXPECT_THROW(s.run({"y"}, {{"x", x}, {"trips", i64({}, {0})}}), Error);
    auto none = s.run({"scan"}, {{"x", x}, {"trips", i64({}, {0})}});
    EXPECT_EQ(shape_str(none[0].shape), "(0,)");
    // An index past the outer sequence fails naming the body node.
    try {
        s.run({}, {{"x", x}, {"trips", i64({}, {4})}});
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("SequenceAt"), std::string::npos) << e.what();
    }
}

TEST(Ops, NonZeroGatherNDDepthToSpaceGlobalAveragePool) {
    Tensor x = f32({2, 3}, {0, 1, 0, 2, 0, 3});
    rt::Session nz(one_node("NonZero", 13, {"x"}, {}));
    Tensor idx = nz.run({}, {{"x", x}})[0];
    ASSERT_EQ(shape_str(idx.shape), "(2, 3)");
    EXPECT_EQ((std::vector<int64_t>(idx.ptr<int64_t>(), idx.ptr<int64_t>() + 6)),
              (std::vector<int64_t>{0, 1, 1, 1, 0, 2}));
    // Pooled sequence classification: logits[arange(batch), last_index].
    Tensor logits = f32({2, 3, 2}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
    rt::Session gnd(one_node("GatherND", 13, {"l", "i"}, {}));
    expect_f32(gnd.run({}, {{"l", logits}, {"i", i64({2, 2}, {0, 2, 1, -3})}})[0], {2, 2}, {4, 5, 6, 7});
    Tensor d = f32({1, 4, 1, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
    rt::Session dcr(one_node("DepthToSpace", 13, {"d"}, {}, 1, {{"blocksize", int_attr(2)}}));
    expect_f32(dcr.run({}, {{"d", d}})[0], {1, 1, 2, 4}, {0, 2, 1, 3, 4, 6, 5, 7});
    rt::Session gap(one_node("GlobalAveragePool", 1, {"d"}, {}));
    expect_f32(gap.run({}, {{"d", d}})[0], {1, 4, 1, 1}, {0.5f, 2.5f, 4.5f, 6.5f});
}

// Weights packed once (Linear) give the plain GEMM's result for every kernel ISA the CPU
// has, across block edges (n not a multiple of the panel width, k past one depth block),
// with few rows (column split) and many rows (row split), accumulating or not.
TEST(Ops, PackedGemmMatchesPlainGemm) {
    for (int64_t m : {1, 5, 70, 300})
        for (auto [n, k] : {std::pair<int64_t, int64_t>{7, 3}, {50, 33}, {130, 700}, {1000, 300}}) {
            std::vector<float> a(size_t(m * k)), w(size_t(n * k)), ref(size_t(m * n)), got(size_t(m * n));
            for (size_t i = 0; i < a.size(); ++i) a[i] = float((i * 7919) % 13) / 13.f - 0.5f;
            for (size_t i = 0; i < w.size(); ++i) w[i] = float((i * 104729) % 17) / 17.f - 0.5f;
            for (bool acc : {false, true})
                for (bool tb : {true, false}) {  // W [n, k] (Linear) or [k, n] (MatMul(x, W))
                    for (size_t i = 0; i < got.size(); ++i) ref[i] = got[i] = acc ? float(i % 5) : 0.f;
                    rt::gemm<float>(m, n, k, a.data(), false, w.data(), tb, ref.data(), 1.f, acc);
                    auto packed = rt::pack_b(w.data(), tb, n, k);
                    rt::gemm_packed(m, a.data(), *packed, got.data(), acc);
                    float worst = 0;
                    for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::fabs(got[i] - ref[i]));
                    EXPECT_LT(worst, 1e-4f) << rt::isa::sgemm_isa() << " m=" << m << " n=" << n << " k=" << k
                                            << " acc=" << acc << " tb=" << tb;
                }
        }
}

// Einsum equations that map to a batched GEMM take that route (float32); the general
// loop (float64 is routed too, int32 is not) must agree with it.
TEST(Ops, EinsumGemmRouteMatchesGeneralLoop) {
    struct Case {
        const char* eq;
        Shape a, b;
    };
    std::vector<Case> cases = {{"bhid,bhjd->bhij", {2, 3, 4, 5}, {2, 3, 6, 5}},
                               {"bhij,bhjd->bhid", {2, 3, 4, 6}, {2, 3, 6, 5}},
                               {"bind,bjnd->bnij", {2, 4, 3, 5}, {2, 6, 3, 5}},
                               {"ij,jk->ik", {3, 4}, {4, 2}},
                               {"i,i->", {5}, {5}},
                               {"i,j->ji", {3}, {4}},
                               {"...ij,...jk->...ik", {2, 3, 4}, {2, 4, 5}},
                               {"bij,bkj", {2, 3, 4}, {2, 5, 4}},
                               {"ij,kj->ikj", {2, 3}, {4, 3}}};
    for (const auto& c : cases) {
        auto fill = [](const Shape& s, int seed) {
            std::vector<int32_t> v(size_t(shape_numel(s)));
            for (size_t i = 0; i < v.size(); ++i) v[i] = int32_t((i * 37 + size_t(seed) * 11) % 7) - 3;
            return v;
        };
        std::vector<int32_t> va = fill(c.a, 1), vb = fill(c.b, 2);
        Attrs attrs{{"equation", str_attr(c.eq)}};
        rt::Session s(one_node("Einsum", 12, {"a", "b"}, {}, 1, attrs));
        Tensor ia = Tensor::from(DType::i32, c.a, va), ib = Tensor::from(DType::i32, c.b, vb);
        Tensor want = s.run({}, {{"a", ia}, {"b", ib}})[0];  // exact integer loop
        std::vector<float> fa(va.begin(), va.end()), fb(vb.begin(), vb.end());
        Tensor got = s.run({}, {{"a", f32(c.a, fa)}, {"b", f32(c.b, fb)}})[0];
        std::vector<float> expect;
        for (int64_t i = 0; i < want.numel(); ++i) expect.push_back(float(want.ptr<int32_t>()[i]));
        expect_f32(got, want.shape, expect, 1e-4f);
    }
}

// Integer base, float exponent: 0^-0.5 is inf and 3^100.5 over int64; converting those as is was
// undefined behaviour (UBSan in fuzz/onnx_fuzz on the backend test test_pow_types_float). They
// saturate; 2^0.5 truncates as a cast does.
TEST(Ops, PowIntegerBaseFloatExponentSaturates) {
    rt::Session s(one_node("Pow", 15, {"x", "y"}, {}));
    Tensor out = s.run({}, {{"x", i64({3}, {0, 2, 3})}, {"y", f32({3}, {-0.5f, 0.5f, 100.5f})}})[0];
    ASSERT_EQ(out.dtype, DType::i64);
    const int64_t max = std::numeric_limits<int64_t>::max();
    EXPECT_EQ(std::vector<int64_t>(out.ptr<int64_t>(), out.ptr<int64_t>() + 3), (std::vector<int64_t>{max, 1, max}));
}
