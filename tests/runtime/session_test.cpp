#include "model_builder.h"

using namespace hfx;
using namespace hfx::test;

namespace {
std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

Model add_model() {
    Model m = one_node("Add", 17, {"input_ids", "attention_mask"}, {});
    m.inputs[0] = ValueInfo{"input_ids", DType::i64, {{-1, "batch"}, {-1, "sequence"}}, {}};
    m.inputs[1] = ValueInfo{"attention_mask", DType::i64, {{-1, "batch"}, {-1, "sequence"}}, {}};
    return m;
}
}  // namespace

TEST(Session, ChecksFeeds) {
    rt::Session s(add_model());
    Tensor ids = i64({1, 2}, {1, 2});
    EXPECT_EQ(error_of([&] { s.run({}, {{"input_ids", ids}}); }), "input 'attention_mask': missing");
    EXPECT_EQ(error_of([&] {
                  s.run({}, {{"input_ids", ids}, {"attention_mask", f32({1, 2}, {1, 1})}});
              }),
              "input 'attention_mask': expected int64, got float32");
    EXPECT_EQ(error_of([&] {
                  s.run({}, {{"input_ids", ids}, {"attention_mask", i64({2}, {1, 1})}});
              }),
              "input 'attention_mask': expected rank 2, got shape (2,)");
    EXPECT_EQ(error_of([&] {
                  s.run({}, {{"input_ids", ids}, {"attention_mask", i64({1, 3}, {1, 1, 1})}});
              }),
              "input 'attention_mask': dimension 1 (sequence) is 3, but input 'input_ids' has 2");
    auto out = s.run({}, {{"input_ids", ids}, {"attention_mask", i64({1, 2}, {1, 1})}});
    EXPECT_EQ(out[0].ptr<int64_t>()[1], 3);
}

TEST(Session, UnknownOpFailsAtConstruction) {
    EXPECT_EQ(error_of([] { rt::Session s(one_node("FancyOp", 17, {"x"}, {})); }),
              "node 'n' (FancyOp): not implemented for opset 17");
    EXPECT_EQ(error_of([] { rt::Session s(one_node("LayerNormalization", 16, {"x"}, {})); }),
              "node 'n' (LayerNormalization): not implemented for opset 16");
}

TEST(Session, FoldsInitializerOnlySubgraphs) {
    // y = x @ Transpose(W): the Transpose runs once, at construction.
    Model m = one_node("Transpose", 17, {"w"}, {{"w", f32({2, 2}, {1, 2, 3, 4})}});
    m.nodes[0].outputs = {"wt"};
    add_node(m, "MatMul", {"x", "wt"}, "y0");
    m.inputs = {ValueInfo{"x", DType::f32, {}, {}}};
    rt::Session s(std::move(m));
    expect_f32(s.run({}, {{"x", f32({1, 2}, {1, 1})}})[0], {1, 2}, {3, 7});
}
