// Crafted ONNX files whose sizes wrap around: each must fail with one line
// naming the tensor or node, never SIGBUS / SIGSEGV, never a wrong result with
// exit 0. Before the checked arithmetic (core/checked.h): a 2^62 float32
// initializer needed "0" bytes and was read past the mapping; Expand to 2^80
// elements returned a (2^40, 2^40) tensor over a 0-byte buffer.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "onnx/load.h"
#include "runtime/session.h"

namespace fs = std::filesystem;
using namespace hfx;

namespace {

constexpr int64_t k2_40 = int64_t(1) << 40;

// The folders the crafted files go in, removed when the tests end.
struct Folders {
    std::vector<fs::path> all;
    ~Folders() {
        std::error_code ec;
        for (const auto& d : all) fs::remove_all(d, ec);
    }
} folders;

struct Crafted {
    onnx::ModelProto m;
    onnx::GraphProto* g;
    Crafted() : g(m.mutable_graph()) {
        m.set_ir_version(8);
        auto* op = m.add_opset_import();
        op->set_version(17);
    }
    onnx::ValueInfoProto* input(const std::string& name, int type, std::vector<int64_t> dims) {
        auto* in = g->add_input();
        in->set_name(name);
        auto* tt = in->mutable_type()->mutable_tensor_type();
        tt->set_elem_type(type);
        for (int64_t d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
        return in;
    }
    onnx::TensorProto* initializer(const std::string& name, int type, std::vector<int64_t> dims) {
        auto* t = g->add_initializer();
        t->set_name(name);
        t->set_data_type(type);
        for (int64_t d : dims) t->add_dims(d);
        return t;
    }
    void node(const std::string& op, const std::string& name, std::vector<std::string> in, const std::string& out) {
        auto* n = g->add_node();
        n->set_op_type(op);
        n->set_name(name);
        for (auto& i : in) n->add_input(i);
        n->add_output(out);
    }
    void output(const std::string& name) { g->add_output()->set_name(name); }
    std::string write(const std::string& tag) const {
        fs::path d = fs::temp_directory_path() / ("hfx_bad_model_" + tag + "_" + std::to_string(::getpid()));
        fs::create_directories(d);
        folders.all.push_back(d);
        std::string p = (d / "model.onnx").string();
        std::ofstream(p, std::ios::binary) << m.SerializeAsString();
        return p;
    }
};

// Loads `path`, builds a session (which folds constant subgraphs) and runs it
// on x = [1.0]; returns the error message ("" if none).
std::string run_error(const std::string& path) {
    try {
        rt::Session s(path);
        std::map<std::string, Tensor> feeds;
        for (const auto& name : s.input_names()) feeds[name] = Tensor::from(DType::f32, {1}, std::vector<float>{1});
        s.run({}, feeds);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

// A shape initializer [2^40, 2^40] (or `dims`), for Expand.
void shape_constant(Crafted& c, const std::vector<int64_t>& dims) {
    auto* t = c.initializer("shape", onnx::TensorProto::INT64, {int64_t(dims.size())});
    t->set_raw_data(std::string(reinterpret_cast<const char*>(dims.data()), dims.size() * 8));
}

}  // namespace

TEST(BadModel, InitializerWhoseByteSizeWrapsToZero) {
    for (auto [type, name, n] : {std::tuple{int(onnx::TensorProto::FLOAT), "float32", int64_t(1) << 62},
                                 std::tuple{int(onnx::TensorProto::INT64), "int64", int64_t(1) << 61}}) {
        Crafted c;
        c.initializer("W", type, {n})->set_raw_data("");
        c.input("x", onnx::TensorProto::FLOAT, {1});
        c.node("Identity", "id", {"W"}, "y");
        c.output("y");
        std::string p = c.write(name);
        EXPECT_EQ(run_error(p), "onnx '" + p + "': tensor 'W': " + name + " shape (" + std::to_string(n) +
                                    ",) is too large (over 2^63 bytes)");
    }
}

TEST(BadModel, ExpandTo2Pow80Elements) {
    Crafted c;
    c.input("x", onnx::TensorProto::FLOAT, {1});
    shape_constant(c, {k2_40, k2_40});
    c.node("Expand", "expand", {"x", "shape"}, "y");
    c.output("y");
    EXPECT_EQ(run_error(c.write("expand")),
              "node 'expand' (Expand): shape (1099511627776, 1099511627776): element count overflows int64");
}

// 2^32 x 2^32 wraps to exactly 0 elements: Slice then read 2^32 rows of nothing.
TEST(BadModel, SliceAfterAnExpandThatWraps) {
    Crafted c;
    c.input("x", onnx::TensorProto::FLOAT, {1});
    shape_constant(c, {int64_t(1) << 32, int64_t(1) << 32});
    c.node("Expand", "expand", {"x", "shape"}, "big");
    for (const char* n : {"starts", "ends"}) {
        int64_t v = std::string(n) == "starts" ? 1 : 3;
        c.initializer(n, onnx::TensorProto::INT64, {1})
            ->set_raw_data(std::string(reinterpret_cast<const char*>(&v), 8));
    }
    c.node("Slice", "slice", {"big", "starts", "ends"}, "y");
    c.output("y");
    EXPECT_EQ(run_error(c.write("slice")),
              "node 'expand' (Expand): shape (4294967296, 4294967296): element count overflows int64");
}

TEST(BadModel, NegativeInputDimension) {
    Crafted c;
    c.input("x", onnx::TensorProto::FLOAT, {-3});
    c.node("Identity", "id", {"x"}, "y");
    c.output("y");
    std::string p = c.write("negative");
    EXPECT_EQ(run_error(p), "onnx '" + p + "': value 'x': negative dimension -3");
}

// The same through the command line: exit 1 and one line on stderr, no crash.
TEST(BadModel, RunCommandFailsInOneLine) {
    Crafted c;
    c.input("x", onnx::TensorProto::FLOAT, {1});
    shape_constant(c, {k2_40, k2_40});
    c.node("Expand", "expand", {"x", "shape"}, "y");
    c.output("y");
    std::string p = c.write("cli");
    std::string err = fs::path(p).parent_path().string() + "/err";
    int status = std::system((std::string(HFX_EXE) + " run " + p + " --random x=1 >/dev/null 2>" + err).c_str());
    ASSERT_TRUE(WIFEXITED(status)) << "killed by a signal";
    EXPECT_EQ(WEXITSTATUS(status), 1);
    std::ifstream in(err);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
    EXPECT_NE(text.find("node 'expand' (Expand)"), std::string::npos) << text;
}
