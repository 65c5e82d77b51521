#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "onnx/load.h"
#include "runtime/session.h"

namespace fs = std::filesystem;
using namespace hfx;

namespace {

fs::path temp_dir(const std::string& name) {
    fs::path d = fs::temp_directory_path() / ("hfx_loader_" + name + "_" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
}

// y = x @ W (+ bias via Add of a Constant node); W is an initializer.
onnx::ModelProto matmul_model(bool external) {
    onnx::ModelProto m;
    m.set_ir_version(8);
    auto* op = m.add_opset_import();
    op->set_domain("ai.onnx");
    op->set_version(17);
    auto* g = m.mutable_graph();
    auto* w = g->add_initializer();
    w->set_name("W");
    w->set_data_type(onnx::TensorProto::FLOAT);
    w->add_dims(2);
    w->add_dims(2);
    std::vector<float> wv = {1, 2, 3, 4};
    if (external) {
        w->set_data_location(onnx::TensorProto::EXTERNAL);
        auto* kv = w->add_external_data();
        kv->set_key("location");
        kv->set_value("weights.bin");
        kv = w->add_external_data();
        kv->set_key("offset");
        kv->set_value("8");
    } else {
        w->set_raw_data(std::string(reinterpret_cast<const char*>(wv.data()), 16));
    }
    auto* in = g->add_input();
    in->set_name("x");
    in->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
    g->add_input()->set_name("W");  // an initializer listed as input is not an input
    g->add_output()->set_name("y");
    auto* c = g->add_node();
    c->set_op_type("Constant");
    c->set_name("bias");
    c->add_output("b");
    auto* a = c->add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    a->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
    a->mutable_t()->add_float_data(10);
    auto* n = g->add_node();
    n->set_op_type("MatMul");
    n->set_name("mm");
    n->add_input("x");
    n->add_input("W");
    n->add_output("xw");
    auto* add = g->add_node();
    add->set_op_type("Add");
    add->set_name("add");
    add->add_input("xw");
    add->add_input("b");
    add->add_output("y");
    return m;
}

void write(const fs::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }

std::vector<float> run(const std::string& path) {
    rt::Session s(path);
    EXPECT_EQ(s.input_names(), std::vector<std::string>{"x"});
    auto y = s.run({}, {{"x", Tensor::from(DType::f32, {1, 2}, std::vector<float>{1, 1})}})[0];
    return {y.ptr<float>(), y.ptr<float>() + y.numel()};
}

}  // namespace

TEST(Loader, EmbeddedRawDataAndConstants) {
    fs::path p = temp_dir("embedded") / "model.onnx";
    write(p, matmul_model(false).SerializeAsString());
    Model m = load_onnx(p.string());
    EXPECT_EQ(m.opset(), 17);
    EXPECT_EQ(m.initializers.at("W").ptr<float>()[3], 4.0f);
    EXPECT_EQ(run(p.string()), (std::vector<float>{14, 16}));
}

TEST(Loader, ExternalData) {
    fs::path d = temp_dir("external");
    write(d / "model.onnx", matmul_model(true).SerializeAsString());
    std::vector<float> bytes = {0, 0, 1, 2, 3, 4};  // 8 bytes of padding, then W
    write(d / "weights.bin", std::string(reinterpret_cast<const char*>(bytes.data()), 24));
    EXPECT_EQ(run((d / "model.onnx").string()), (std::vector<float>{14, 16}));
    fs::remove(d / "weights.bin");
    try {
        load_onnx((d / "model.onnx").string());
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("weights.bin"), std::string::npos);
    }
}

TEST(Loader, TruncatedOrGarbageFilesFailInOneLine) {
    fs::path d = temp_dir("broken");
    std::string bytes = matmul_model(false).SerializeAsString();
    for (size_t cut : {size_t(1), bytes.size() / 3, bytes.size() / 2, bytes.size() - 1}) {
        write(d / "model.onnx", bytes.substr(0, cut));
        try {
            Model m = load_onnx((d / "model.onnx").string());
            rt::Session s(std::move(m));  // a cut that still parses must still be safe
        } catch (const Error& e) {
            std::string msg = e.what();
            EXPECT_EQ(msg.find('\n'), std::string::npos);
            EXPECT_FALSE(msg.empty());
        }
    }
    write(d / "model.onnx", std::string(100, '\xff'));
    try {
        load_onnx((d / "model.onnx").string());
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()).rfind("onnx '" + (d / "model.onnx").string() + "': ", 0), 0u) << e.what();
    }
    try {
        load_onnx((d / "missing.onnx").string());
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("missing.onnx"), std::string::npos);
    }
}
