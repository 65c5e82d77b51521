// Hand-written op tests for version differences and the patterns transformer
// graphs use; the ONNX backend node data (hfx_conformance) covers the rest.
#include "model_builder.h"

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
