// The half-weights pass on a small graph: before, a float16 weight read by two
// nodes (a tied embedding); after, one initializer, one Cast, both readers on its output.
#include <gtest/gtest.h>

#include "export/half_weights.h"
#include "runtime/session.h"

namespace hfx::test {
namespace {

Node node(const std::string& op, const std::string& name, std::vector<std::string> inputs) {
    Node n;
    n.op = op;
    n.name = name;
    n.inputs = std::move(inputs);
    n.outputs = {name + "_output_0"};
    return n;
}

Model tied(DType weight_type, int64_t opset) {
    Model m;
    m.opsets[""] = opset;
    m.inputs = {ValueInfo{"x", DType::f32, {Dim{2, ""}}}};
    m.outputs = {ValueInfo{"y", DType::f32, {Dim{2, ""}}}};
    Tensor w = Tensor::empty(weight_type, {2});
    for (int k = 0; k < 2; ++k)  // 1.5 and -2 are exact in both half types
        w.ptr<uint16_t>()[k] =
            weight_type == DType::f16 ? float_to_half(k ? -2.f : 1.5f) : uint16_t(k ? 0xc000 : 0x3fc0);
    m.initializers["wte.weight"] = w;
    m.nodes = {node("Mul", "/embed", {"x", "wte.weight"}), node("Add", "/lm_head", {"/embed_output_0", "wte.weight"})};
    m.nodes.back().outputs = {"y"};
    return m;
}

TEST(HalfWeights, OneCastPerWeightBeforeItsReaders) {
    for (DType t : {DType::f16, DType::bf16}) {
        Model m = tied(t, 14);
        keep_half_weights(m);
        ASSERT_EQ(m.nodes.size(), 3u);
        const Node& cast = m.nodes[0];
        EXPECT_EQ(cast.op, "Cast");
        EXPECT_EQ(cast.inputs, std::vector<std::string>{"wte.weight"});
        EXPECT_EQ(cast.attr_i("to", 0), int64_t(DType::f32));
        EXPECT_EQ(m.nodes[1].inputs[1], cast.outputs[0]);
        EXPECT_EQ(m.nodes[2].inputs[1], cast.outputs[0]);
        EXPECT_EQ(m.initializers.at("wte.weight").dtype, t);  // the bytes are untouched
        // And it computes what the widened weight did: (x * w) + w.
        auto y = rt::Session(m).run({}, {{"x", Tensor::from<float>(DType::f32, {2}, {2.f, 3.f})}});
        EXPECT_EQ(y[0].ptr<float>()[0], 2.f * 1.5f + 1.5f);
        EXPECT_EQ(y[0].ptr<float>()[1], 3.f * -2.f - 2.f);
    }
}

TEST(HalfWeights, Bfloat16BelowOpset13AndFloat32AreLeftAlone) {
    Model bf = tied(DType::bf16, 12);
    keep_half_weights(bf);
    EXPECT_EQ(bf.nodes.size(), 2u);
    EXPECT_EQ(written_dtype(DType::bf16, 12), DType::f32);
    EXPECT_EQ(written_dtype(DType::bf16, 13), DType::bf16);
    EXPECT_EQ(written_dtype(DType::f16, 11), DType::f16);
    EXPECT_EQ(written_dtype(DType::f64, 17), DType::f32);
    Model f = tied(DType::f16, 14);
    f.initializers["wte.weight"] = Tensor::from<float>(DType::f32, {2}, {1.5f, -2.f});
    keep_half_weights(f);
    EXPECT_EQ(f.nodes.size(), 2u);
}

}  // namespace
}  // namespace hfx::test
