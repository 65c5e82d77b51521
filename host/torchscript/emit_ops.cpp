// ONNX op -> TorchScript, one entry per op, ONNX semantics at opset 17 (the
// plugins' canonical form: axes as attributes, LayerNormalization). Where
// torch differs (Expand broadcasts both ways, Reshape's 0, Gather's negative
// indices, integer Div truncates) the entry calls a helper (emit_helpers.cpp).
#include <cmath>
#include <cstdio>

#include "core/error.h"
#include "torchscript/emit_internal.h"

namespace hfx::ts {

std::string int_list(const std::vector<int64_t>& v) {
    std::string s = "[";
    for (size_t k = 0; k < v.size(); ++k) s += (k ? ", " : "") + std::to_string(v[k]);
    return s + "]";
}

std::string float_literal(double v) {
    if (std::isnan(v)) return "float(\"nan\")";
    if (std::isinf(v)) return v > 0 ? "float(\"inf\")" : "float(\"-inf\")";
    char buf[40];
    std::snprintf(buf, sizeof(buf), "%.9g", v);
    std::string s = buf;
    if (s.find_first_of(".en") == std::string::npos) s += ".0";
    return s;
}

// torch's ScalarType codes: the C++ TorchScript compiler resolves no `torch.float32`.
std::string torch_dtype(int64_t onnx_type, const Node& n) {
    switch (DType(onnx_type)) {
        case DType::u8:
            return "0";
        case DType::i8:
            return "1";
        case DType::i16:
            return "2";
        case DType::i32:
            return "3";
        case DType::i64:
            return "4";
        case DType::f16:
            return "5";
        case DType::f32:
            return "6";
        case DType::f64:
            return "7";
        case DType::boolean:
            return "11";
        case DType::bf16:
            return "15";
        default:
            fail("node '", n.name, "' (", n.op, "): data type ", std::to_string(onnx_type),
                 " has no TorchScript equivalent");
    }
}

namespace {

using Table = std::map<std::string, OpEmitter>;

std::string call(const std::string& fn, const std::vector<std::string>& args) {
    std::string s = fn + "(";
    for (size_t k = 0; k < args.size(); ++k) s += (k ? ", " : "") + args[k];
    return s + ")";
}

// All inputs of `n` as a TorchScript List[Tensor].
std::string tensor_list(Emitter& e, const Node& n) {
    std::string xs = "[";
    for (size_t k = 0; k < n.inputs.size(); ++k) xs += (k ? ", " : "") + e.in(n, k);
    return xs + "]";
}

// An attribute ("axes") or, in the newer op versions, the input at `k`, as a TorchScript List[int].
std::string ints_attr_or_input(Emitter& e, const Node& n, const std::string& key, size_t k) {
    if (n.inputs.size() > k && !n.inputs[k].empty()) return call(e.helper("hfx_ints"), {e.in(n, k)});
    return int_list(n.attr_ints(key));
}

void unary(Table& t, const std::string& op, const std::string& fn) {
    t[op] = [fn](Emitter& e, const Node& n) { return call(fn, {e.in(n, 0)}); };
}
void binary(Table& t, const std::string& op, const std::string& fn) {
    t[op] = [fn](Emitter& e, const Node& n) { return call(fn, {e.in(n, 0), e.in(n, 1)}); };
}
// Max, Min, Sum: variadic, folded left.
void variadic(Table& t, const std::string& op, const std::string& fn) {
    t[op] = [fn](Emitter& e, const Node& n) {
        std::string acc = e.in(n, 0);
        for (size_t k = 1; k < n.inputs.size(); ++k) acc = call(fn, {acc, e.in(n, k)});
        return acc;
    };
}
void reduce(Table& t, const std::string& op, const std::string& fn) {
    t[op] = [fn](Emitter& e, const Node& n) {
        if (n.attr_i("noop_with_empty_axes", 0))
            fail("node '", n.name, "' (", n.op, "): noop_with_empty_axes=1 is not supported");
        std::string axes = call(e.helper("hfx_axes"), {e.in(n, 0), ints_attr_or_input(e, n, "axes", 1)});
        return call(fn, {e.in(n, 0), axes, n.attr_i("keepdims", 1) ? "True" : "False"});
    };
}

Table make_table() {
    Table t;
    binary(t, "Add", "torch.add");
    binary(t, "Sub", "torch.sub");
    binary(t, "Mul", "torch.mul");
    t["Div"] = [](Emitter& e, const Node& n) { return call(e.helper("hfx_div"), {e.in(n, 0), e.in(n, 1)}); };
    t["Pow"] = [](Emitter& e, const Node& n) { return call(e.helper("hfx_pow"), {e.in(n, 0), e.in(n, 1)}); };
    t["Mod"] = [](Emitter& e, const Node& n) {
        return call(n.attr_i("fmod", 0) ? "torch.fmod" : "torch.remainder", {e.in(n, 0), e.in(n, 1)});
    };
    binary(t, "MatMul", "torch.matmul");
    binary(t, "Equal", "torch.eq");
    binary(t, "Less", "torch.lt");
    binary(t, "LessOrEqual", "torch.le");
    binary(t, "Greater", "torch.gt");
    binary(t, "GreaterOrEqual", "torch.ge");
    binary(t, "And", "torch.logical_and");
    binary(t, "Or", "torch.logical_or");
    binary(t, "Xor", "torch.logical_xor");
    variadic(t, "Max", "torch.maximum");
    variadic(t, "Min", "torch.minimum");
    variadic(t, "Sum", "torch.add");
    for (const char* op : {"Sqrt", "Erf", "Tanh", "Sigmoid", "Relu", "Exp", "Log", "Neg", "Abs", "Reciprocal", "Cos",
                           "Sin", "Sign", "Floor", "Ceil", "Round"}) {
        std::string fn = op;
        for (char& c : fn) c = char(std::tolower(static_cast<unsigned char>(c)));
        unary(t, op, "torch." + fn);
    }
    unary(t, "Not", "torch.logical_not");
    unary(t, "IsNaN", "torch.isnan");
    t["Identity"] = [](Emitter& e, const Node& n) { return e.in(n, 0); };
    t["Dropout"] = t["Identity"];  // inference: the input as is (a mask output is refused by the caller)
    t["Where"] = [](Emitter& e, const Node& n) { return call("torch.where", {e.in(n, 0), e.in(n, 1), e.in(n, 2)}); };
    t["Cast"] = [](Emitter& e, const Node& n) {
        return e.in(n, 0) + ".to(dtype=" + torch_dtype(n.attr_i("to", 0), n) + ")";
    };
    t["Clip"] = [](Emitter& e, const Node& n) { return call("torch.clamp", {e.in(n, 0), e.in(n, 1), e.in(n, 2)}); };

    t["Shape"] = [](Emitter& e, const Node& n) {
        return call(e.helper("hfx_shape"), {e.in(n, 0), std::to_string(n.attr_i("start", 0)),
                                            n.has("end") ? std::to_string(n.attr_i("end", 0)) : "None"});
    };
    t["Size"] = [](Emitter& e, const Node& n) { return "torch.tensor(" + e.in(n, 0) + ".numel(), dtype=4)"; };
    t["Reshape"] = [](Emitter& e, const Node& n) {
        return call(e.helper("hfx_reshape"), {e.in(n, 0), e.in(n, 1), std::to_string(n.attr_i("allowzero", 0))});
    };
    t["Flatten"] = [](Emitter& e, const Node& n) {
        return call(e.helper("hfx_flatten"), {e.in(n, 0), std::to_string(n.attr_i("axis", 1))});
    };
    t["Expand"] = [](Emitter& e, const Node& n) { return call(e.helper("hfx_expand"), {e.in(n, 0), e.in(n, 1)}); };
    t["Tile"] = [](Emitter& e, const Node& n) {
        return e.in(n, 0) + ".repeat(" + call(e.helper("hfx_ints"), {e.in(n, 1)}) + ")";
    };
    t["Unsqueeze"] = [](Emitter& e, const Node& n) {
        return call(e.helper("hfx_unsqueeze"), {e.in(n, 0), ints_attr_or_input(e, n, "axes", 1)});
    };
    t["Squeeze"] = [](Emitter& e, const Node& n) {
        return call(e.helper("hfx_squeeze"), {e.in(n, 0), ints_attr_or_input(e, n, "axes", 1)});
    };
    t["Transpose"] = [](Emitter& e, const Node& n) {
        if (!n.has("perm")) return call(e.helper("hfx_reverse_dims"), {e.in(n, 0)});
        return e.in(n, 0) + ".permute(" + int_list(n.attr_ints("perm")) + ")";
    };
    t["Concat"] = [](Emitter& e, const Node& n) {
        return call("torch.cat", {tensor_list(e, n), std::to_string(n.attr_i("axis", 0))});
    };
    t["Split"] = [](Emitter& e, const Node& n) {
        return call(e.helper("hfx_split"), {e.in(n, 0), ints_attr_or_input(e, n, "split", 1),
                                            std::to_string(n.outputs.size()), std::to_string(n.attr_i("axis", 0))});
    };
    t["Gather"] = [](Emitter& e, const Node& n) {
        return call(e.helper("hfx_gather"), {e.in(n, 0), e.in(n, 1), std::to_string(n.attr_i("axis", 0))});
    };
    t["GatherElements"] = [](Emitter& e, const Node& n) {
        return call(e.helper("hfx_gather_elements"), {e.in(n, 0), e.in(n, 1), std::to_string(n.attr_i("axis", 0))});
    };
    t["Slice"] = [](Emitter& e, const Node& n) {
        return call(e.helper("hfx_slice"), {e.in(n, 0), e.in(n, 1), e.in(n, 2), e.in(n, 3), e.in(n, 4)});
    };
    t["Pad"] = [](Emitter& e, const Node& n) {
        std::string mode = n.attr_s("mode", "constant");
        if (mode != "constant")
            fail("node '", n.name, "' (Pad): mode '", mode, "' is not supported in TorchScript export");
        if (n.inputs.size() > 3 && !n.inputs[3].empty())
            fail("node '", n.name, "' (Pad): the axes input is not supported");
        return call(e.helper("hfx_pad"), {e.in(n, 0), e.in(n, 1), e.in(n, 2)});
    };
    t["Range"] = [](Emitter& e, const Node& n) {
        return call(e.helper("hfx_range"), {e.in(n, 0), e.in(n, 1), e.in(n, 2)});
    };
    t["CumSum"] = [](Emitter& e, const Node& n) {
        return call(e.helper("hfx_cumsum"), {e.in(n, 0), e.in(n, 1), std::to_string(n.attr_i("exclusive", 0)),
                                             std::to_string(n.attr_i("reverse", 0))});
    };
    t["ConstantOfShape"] = [](Emitter& e, const Node& n) {
        std::string value = "0.0", dtype = "6";
        if (n.has("value")) {
            const Tensor& v = n.attrs.at("value").t;
            Tensor f = v.dtype == DType::i64 ? v : v.to_f32();
            value = v.dtype == DType::i64 ? std::to_string(v.ptr<int64_t>()[0]) : float_literal(f.ptr<float>()[0]);
            dtype = torch_dtype(int64_t(v.dtype), n);
        }
        return "torch.full(" + call(e.helper("hfx_ints"), {e.in(n, 0)}) + ", " + value + ", dtype=" + dtype + ")";
    };
    t["Trilu"] = [](Emitter& e, const Node& n) {
        std::string k = n.inputs.size() > 1 && !n.inputs[1].empty() ? "int(" + e.in(n, 1) + ")" : "0";
        return call(n.attr_i("upper", 1) ? "torch.triu" : "torch.tril", {e.in(n, 0), k});
    };
    t["Softmax"] = [](Emitter& e, const Node& n) {
        return call("torch.softmax", {e.in(n, 0), std::to_string(n.attr_i("axis", -1))});
    };
    t["LogSoftmax"] = [](Emitter& e, const Node& n) {
        return call("torch.log_softmax", {e.in(n, 0), std::to_string(n.attr_i("axis", -1))});
    };
    reduce(t, "ReduceMean", "torch.mean");
    reduce(t, "ReduceSum", "torch.sum");
    reduce(t, "ReduceMax", "torch.amax");
    reduce(t, "ReduceMin", "torch.amin");
    t["ArgMax"] = [](Emitter& e, const Node& n) {
        if (n.attr_i("select_last_index", 0))
            fail("node '", n.name, "' (ArgMax): select_last_index=1 is not supported");
        return call("torch.argmax",
                    {e.in(n, 0), std::to_string(n.attr_i("axis", 0)), n.attr_i("keepdims", 1) ? "True" : "False"});
    };
    t["LayerNormalization"] = [](Emitter& e, const Node& n) {
        return call(e.helper("hfx_layer_norm"),
                    {e.in(n, 0), e.in(n, 1), e.in(n, 2), std::to_string(n.attr_i("axis", -1)),
                     float_literal(n.attr_f("epsilon", 1e-5f))});
    };
    t["Gemm"] = [](Emitter& e, const Node& n) {
        return call(e.helper("hfx_gemm"), {e.in(n, 0), e.in(n, 1), e.in(n, 2), float_literal(n.attr_f("alpha", 1)),
                                           float_literal(n.attr_f("beta", 1)), std::to_string(n.attr_i("transA", 0)),
                                           std::to_string(n.attr_i("transB", 0))});
    };
    t["Conv"] = [](Emitter& e, const Node& n) {
        std::string pad = n.attr_s("auto_pad", "NOTSET");
        if (pad != "NOTSET")
            fail("node '", n.name, "' (Conv): auto_pad '", pad, "' is not supported in TorchScript export");
        return call(e.helper("hfx_conv"), {e.in(n, 0), e.in(n, 1), e.in(n, 2), int_list(n.attr_ints("strides")),
                                           int_list(n.attr_ints("pads")), int_list(n.attr_ints("dilations")),
                                           std::to_string(n.attr_i("group", 1))});
    };
    t["Einsum"] = [](Emitter& e, const Node& n) {
        std::string equation = "\"";
        equation += n.attr_s("equation", "");
        equation += '"';
        return call("torch.einsum", {equation, tensor_list(e, n)});
    };
    return t;
}

}  // namespace

const std::map<std::string, OpEmitter>& op_emitters() {
    static const Table table = make_table();
    return table;
}

}  // namespace hfx::ts
