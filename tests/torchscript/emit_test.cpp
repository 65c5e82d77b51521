// The TorchScript translator on hand-made graphs (no libtorch needed).
#include <gtest/gtest.h>

#include "core/error.h"
#include "torchscript/emit.h"

namespace hfx::test {
namespace {

Model one_node(const std::string& op, const std::vector<std::string>& inputs) {
    Model m;
    m.inputs.push_back({.name = "past_key_values.0.key"});
    m.outputs.push_back({.name = "out"});
    m.nodes.push_back({.op = op, .name = "/layer.0/" + op, .inputs = inputs, .outputs = {"out"}});
    return m;
}

TEST(TorchScriptEmit, UnsupportedOpIsOneLineNamingTheNodeAndOp) {
    try {
        emit_torchscript(one_node("NonMaxSuppression", {"past_key_values.0.key"}));
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(),
                     "node '/layer.0/NonMaxSuppression': op 'NonMaxSuppression' has no TorchScript translation");
    }
}

TEST(TorchScriptEmit, UnsupportedVariantNamesTheAttribute) {
    Model m = one_node("Pad", {"past_key_values.0.key", "pads"});
    m.nodes[0].attrs["mode"] = Attr{.kind = Attr::String, .s = "reflect"};
    m.initializers["pads"] = Tensor::from<int64_t>(DType::i64, {2}, {1, 1});
    EXPECT_THROW(
        try { emit_torchscript(m); } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("mode 'reflect'"), std::string::npos) << e.what();
            throw;
        },
        Error);
}

TEST(TorchScriptEmit, ArgumentsAreIdentifiersAndOutputsATuple) {
    TorchScriptProgram p = emit_torchscript(one_node("Relu", {"past_key_values.0.key"}));
    EXPECT_EQ(p.input_names, std::vector<std::string>{"past_key_values.0.key"});
    EXPECT_EQ(p.argument_names, std::vector<std::string>{"past_key_values_0_key"});
    EXPECT_NE(p.source.find("def forward(self, past_key_values_0_key: Tensor) -> Tuple[Tensor]:"), std::string::npos)
        << p.source;
    EXPECT_NE(p.source.find("torch.relu(past_key_values_0_key)"), std::string::npos) << p.source;
}

TEST(TorchScriptEmit, WeightsKeepHuggingFaceNamesConstantsGoAside) {
    Model m = one_node("Add", {"encoder.layer.0.attention.self.query.bias", "onnx::Constant_3"});
    m.inputs.clear();
    m.initializers["encoder.layer.0.attention.self.query.bias"] = Tensor::empty(DType::f32, {4});
    m.initializers["onnx::Constant_3"] = Tensor::empty(DType::f32, {});
    TorchScriptProgram p = emit_torchscript(m);
    ASSERT_EQ(p.attributes.size(), 2u);
    for (const TorchScriptAttribute& a : p.attributes) {
        if (a.initializer == "onnx::Constant_3") {
            EXPECT_EQ(a.path, (std::vector<std::string>{"constants", "Constant_3"}));
        } else {
            EXPECT_EQ(a.path,
                      (std::vector<std::string>{"encoder", "layer", "0", "attention", "self", "query", "bias"}));
        }
    }
    // Numbered and keyword segments are reached with getattr.
    EXPECT_NE(p.source.find("getattr(getattr(self.encoder.layer, \"0\").attention, \"self\").query.bias"),
              std::string::npos)
        << p.source;
}

TEST(TorchScriptEmit, HelpersAreEmittedOnlyWhenUsed) {
    TorchScriptProgram relu = emit_torchscript(one_node("Relu", {"past_key_values.0.key"}));
    EXPECT_EQ(relu.source.find("def hfx_"), std::string::npos);
    Model m = one_node("Reshape", {"past_key_values.0.key", "shape"});
    m.initializers["shape"] = Tensor::from<int64_t>(DType::i64, {1}, {-1});
    TorchScriptProgram reshape = emit_torchscript(m);
    EXPECT_NE(reshape.source.find("def hfx_reshape(self"), std::string::npos);
    EXPECT_NE(reshape.source.find("def hfx_ints(self"), std::string::npos);  // called by hfx_reshape
}

}  // namespace
}  // namespace hfx::test
