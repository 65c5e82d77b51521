// Helpers for hand-written runtime tests: one-node models and tensor checks.
#pragma once
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/ir.h"
#include "runtime/session.h"

namespace hfx::test {

inline Tensor f32(Shape s, std::vector<float> v) { return Tensor::from(DType::f32, std::move(s), v); }
inline Tensor i64(Shape s, std::vector<int64_t> v) { return Tensor::from(DType::i64, std::move(s), v); }

// A model of one node over inputs `in` (fed at run) and initializers `consts`.
inline Model one_node(const std::string& op, int64_t opset, const std::vector<std::string>& in,
                      const std::map<std::string, Tensor>& consts, size_t outputs = 1, Attrs attrs = {}) {
    Model m;
    m.opsets[""] = opset;
    Node n;
    n.op = op;
    n.name = "n";
    for (const auto& name : in) n.inputs.push_back(name);
    for (size_t i = 0; i < outputs; ++i) {
        n.outputs.push_back("y" + std::to_string(i));
        m.outputs.push_back(ValueInfo{"y" + std::to_string(i), DType::undefined, {}, {}});
    }
    n.attrs = std::move(attrs);
    for (const auto& name : in)
        if (!consts.count(name) && !name.empty()) m.inputs.push_back(ValueInfo{name, DType::undefined, {}, {}});
    m.initializers = consts;
    m.nodes.push_back(n);
    return m;
}

// Appends a node computing `out` from `in` (named after its op and output).
inline void add_node(Model& m, const std::string& op, std::vector<std::string> in, std::string out, Attrs attrs = {}) {
    Node n;
    n.op = op;
    n.name = op + "_" + out;
    n.inputs = std::move(in);
    n.outputs = {std::move(out)};
    n.attrs = std::move(attrs);
    m.nodes.push_back(std::move(n));
}

inline Attr ints_attr(std::vector<int64_t> v) {
    Attr a;
    a.kind = Attr::Ints;
    a.ints = std::move(v);
    return a;
}
inline Attr int_attr(int64_t v) {
    Attr a;
    a.kind = Attr::Int;
    a.i = v;
    return a;
}
inline Attr str_attr(std::string s) {
    Attr a;
    a.kind = Attr::String;
    a.s = std::move(s);
    return a;
}

inline void expect_f32(const Tensor& t, const Shape& shape, const std::vector<float>& want, float tol = 1e-5f) {
    ASSERT_EQ(t.dtype, DType::f32);
    ASSERT_EQ(shape_str(t.shape), shape_str(shape));
    for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(t.ptr<float>()[i], want[i], tol) << "element " << i;
}

}  // namespace hfx::test
