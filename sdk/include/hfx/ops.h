// Graph ops as free functions over Values, one ONNX op each, named after the
// ONNX op. The host lowers them to the target opset (e.g. LayerNormalization
// below 17, axes inputs vs attributes), so plugins write one form.
#pragma once
#include <cmath>
#include <limits>

#include "hfx/graph.h"

namespace hfx {

using Ints = std::vector<int64_t>;

inline Value unary(const char* op, Value x) { return x.g->node(op, {x}); }
inline Value binary(const char* op, Value a, Value b) { return a.g->node(op, {a, b}); }

inline Value operator+(Value a, Value b) { return binary("Add", a, b); }
inline Value operator-(Value a, Value b) { return binary("Sub", a, b); }
inline Value operator*(Value a, Value b) { return binary("Mul", a, b); }
inline Value operator/(Value a, Value b) { return binary("Div", a, b); }
inline Value operator+(Value a, float b) { return a + a.g->scalar(b); }
inline Value operator-(Value a, float b) { return a - a.g->scalar(b); }
inline Value operator*(Value a, float b) { return a * a.g->scalar(b); }
inline Value operator/(Value a, float b) { return a / a.g->scalar(b); }
inline Value operator-(float a, Value b) { return b.g->scalar(a) - b; }

inline Value matmul(Value a, Value b) { return binary("MatMul", a, b); }
inline Value pow(Value a, float e) { return binary("Pow", a, a.g->scalar(e)); }
inline Value sqrt(Value x) { return unary("Sqrt", x); }
inline Value erf(Value x) { return unary("Erf", x); }
inline Value tanh(Value x) { return unary("Tanh", x); }
inline Value sigmoid(Value x) { return unary("Sigmoid", x); }
inline Value relu(Value x) { return unary("Relu", x); }
inline Value exp(Value x) { return unary("Exp", x); }
inline Value log(Value x) { return unary("Log", x); }
inline Value neg(Value x) { return unary("Neg", x); }
inline Value abs(Value x) { return unary("Abs", x); }
inline Value cos(Value x) { return unary("Cos", x); }
inline Value sin(Value x) { return unary("Sin", x); }
inline Value identity(Value x) { return unary("Identity", x); }
inline Value reciprocal(Value x) { return unary("Reciprocal", x); }
inline Value logical_not(Value x) { return unary("Not", x); }
inline Value equal(Value a, Value b) { return binary("Equal", a, b); }
inline Value less(Value a, Value b) { return binary("Less", a, b); }
inline Value greater(Value a, Value b) { return binary("Greater", a, b); }
inline Value logical_and(Value a, Value b) { return binary("And", a, b); }
inline Value logical_or(Value a, Value b) { return binary("Or", a, b); }
inline Value maximum(Value a, Value b) { return binary("Max", a, b); }
inline Value minimum(Value a, Value b) { return binary("Min", a, b); }
inline Value where(Value c, Value a, Value b) { return c.g->node("Where", {c, a, b}); }
// min / max / torch.clamp on int64 through Where: Min and Max take integers only from opset 12.
inline Value min_i64(Value a, Value b) { return where(less(a, b), a, b); }
inline Value max_i64(Value a, Value b) { return where(greater(a, b), a, b); }
inline Value clamp_i64(Value x, Value lo, Value hi) { return min_i64(max_i64(x, lo), hi); }

inline Value cast(Value x, DT to) { return x.g->node("Cast", {x}, {A::integer("to", int64_t(to))}); }
inline Value shape_of(Value x) { return unary("Shape", x); }
inline Value softmax(Value x, int64_t axis = -1) { return x.g->node("Softmax", {x}, {A::integer("axis", axis)}); }
inline Value transpose(Value x, Ints perm) { return x.g->node("Transpose", {x}, {A::list("perm", std::move(perm))}); }
// Reshape to a constant shape (0 copies the input's dim, -1 infers one dim).
inline Value reshape(Value x, Ints shape) { return x.g->node("Reshape", {x, x.g->constant_i64(std::move(shape))}); }
inline Value reshape(Value x, Value shape) { return x.g->node("Reshape", {x, shape}); }
inline Value flatten(Value x, int64_t axis) { return x.g->node("Flatten", {x}, {A::integer("axis", axis)}); }
inline Value expand(Value x, Value shape) { return x.g->node("Expand", {x, shape}); }
// Axes are written as attributes here; the writer turns them into inputs where the opset wants.
inline Value unsqueeze(Value x, Ints axes) { return x.g->node("Unsqueeze", {x}, {A::list("axes", std::move(axes))}); }
inline Value squeeze(Value x, Ints axes) { return x.g->node("Squeeze", {x}, {A::list("axes", std::move(axes))}); }
inline Value reduce_mean(Value x, Ints axes, bool keepdims = true) {
    return x.g->node("ReduceMean", {x}, {A::list("axes", std::move(axes)), A::integer("keepdims", keepdims)});
}
inline Value reduce_sum(Value x, Ints axes, bool keepdims = true) {
    return x.g->node("ReduceSum", {x}, {A::list("axes", std::move(axes)), A::integer("keepdims", keepdims)});
}
inline Value reduce_max(Value x, Ints axes, bool keepdims = true) {
    return x.g->node("ReduceMax", {x}, {A::list("axes", std::move(axes)), A::integer("keepdims", keepdims)});
}
inline Value argmax(Value x, int64_t axis, bool keepdims = false) {
    return x.g->node("ArgMax", {x}, {A::integer("axis", axis), A::integer("keepdims", keepdims)});
}
inline Value cumsum(Value x, int64_t axis) { return x.g->node("CumSum", {x, x.g->scalar_i64(axis)}); }
inline Value concat(std::vector<Value> xs, int64_t axis) {
    Graph* g = xs.at(0).g;
    return g->node("Concat", std::move(xs), {A::integer("axis", axis)});
}
inline Value gather(Value data, Value indices, int64_t axis = 0) {
    return data.g->node("Gather", {data, indices}, {A::integer("axis", axis)});
}
// x[..., start:end] on `axis` (constant bounds; end may be INT64_MAX).
inline Value slice(Value x, int64_t axis, int64_t start, int64_t end, int64_t step = 1) {
    Graph& g = *x.g;
    return g.node("Slice",
                  {x, g.constant_i64({start}), g.constant_i64({end}), g.constant_i64({axis}), g.constant_i64({step})});
}
inline std::vector<Value> split(Value x, int64_t axis, Ints sizes) {
    size_t n = sizes.size();
    return x.g->nodes("Split", {x}, {A::integer("axis", axis), A::list("split", std::move(sizes))}, n);
}
inline Value layer_norm_op(Value x, Value w, Value b, float eps, int64_t axis = -1) {
    return x.g->node("LayerNormalization", {x, w, b}, {A::integer("axis", axis), A::real("epsilon", eps)});
}
// The size of `x` on `axis` as a 1-element int64 tensor (for building shapes).
inline Value dim(Value x, int64_t axis) { return gather(shape_of(x), x.g->constant_i64({axis}), 0); }
inline Value range(Value start, Value limit, Value delta) { return start.g->node("Range", {start, limit, delta}); }

// torch.finfo(torch.float32).min: what HF adds at masked positions.
inline constexpr float kMaskValue = -3.4028234663852886e+38f;

}  // namespace hfx
