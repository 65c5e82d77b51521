#include "export/lower.h"

#include "core/error.h"

namespace hfx {
namespace {

struct Lowering {
    Model& out;
    int64_t opset;
    int fresh = 0;

    std::string constant_i64(const std::string& base, const std::vector<int64_t>& v) {
        std::string name = base + "_const_" + std::to_string(fresh++);
        out.initializers[name] = Tensor::from<int64_t>(DType::i64, {int64_t(v.size())}, v);
        return name;
    }
    std::string scalar_f32(const std::string& base, float v) {
        std::string name = base + "_const_" + std::to_string(fresh++);
        out.initializers[name] = Tensor::from<float>(DType::f32, {}, {v});
        return name;
    }
    Node make(const Node& from, const std::string& op, std::vector<std::string> inputs, const std::string& suffix) {
        Node n;
        n.op = op;
        n.name = from.name + "/" + suffix;
        n.inputs = std::move(inputs);
        n.outputs = {n.name + "_output_0"};
        return n;
    }

    // y = (x - mean) / sqrt(var + eps) * w + b over the last axis, as opset 17 defines it.
    void layer_norm(const Node& n) {
        int64_t axis = n.attr_i("axis", -1);
        if (axis != -1) fail("node '", n.name, "' (LayerNormalization): only axis -1 can be lowered below opset 17");
        float eps = n.attr_f("epsilon", 1e-5f);
        Node mean = make(n, "ReduceMean", {n.inputs[0]}, "ReduceMean");
        mean.attrs["axes"] = Attr{Attr::Ints, 0, 0, "", {-1}};
        Node centered = make(n, "Sub", {n.inputs[0], mean.outputs[0]}, "Sub");
        Node sq = make(n, "Pow", {centered.outputs[0], scalar_f32(n.name, 2.f)}, "Pow");
        Node var = make(n, "ReduceMean", {sq.outputs[0]}, "ReduceMean_1");
        var.attrs["axes"] = Attr{Attr::Ints, 0, 0, "", {-1}};
        Node plus = make(n, "Add", {var.outputs[0], scalar_f32(n.name, eps)}, "Add");
        Node root = make(n, "Sqrt", {plus.outputs[0]}, "Sqrt");
        Node norm = make(n, "Div", {centered.outputs[0], root.outputs[0]}, "Div");
        Node scaled = make(n, "Mul", {norm.outputs[0], n.inputs[1]}, "Mul");
        bool has_bias = n.inputs.size() > 2 && !n.inputs[2].empty();
        Node shifted = make(n, has_bias ? "Add" : "Identity", {scaled.outputs[0]}, "Add_1");
        if (has_bias) shifted.inputs.push_back(n.inputs[2]);
        shifted.outputs = {n.outputs[0]};
        for (Node* x : {&mean, &centered, &sq, &var, &plus, &root, &norm, &scaled, &shifted}) out.nodes.push_back(*x);
    }

    // Opset 13 turned these attributes into inputs.
    void attr_to_input(Node n, const char* attr) {
        auto it = n.attrs.find(attr);
        if (it != n.attrs.end()) {
            if (n.inputs.size() < 1) n.inputs.resize(1);
            n.inputs.resize(2);
            n.inputs[1] = constant_i64(n.name, it->second.ints);
            n.attrs.erase(it);
        }
        out.nodes.push_back(std::move(n));
    }

    void run(const Model& in) {
        for (const Node& n : in.nodes) {
            if (n.domain.empty() && n.op == "LayerNormalization" && opset < 17) layer_norm(n);
            else if (n.domain.empty() && opset >= 13 &&
                     (n.op == "Squeeze" || n.op == "Unsqueeze" || n.op == "ReduceSum"))
                attr_to_input(n, "axes");
            else if (n.domain.empty() && opset >= 13 && n.op == "Split") attr_to_input(n, "split");
            else out.nodes.push_back(n);
        }
    }
};

}  // namespace

Model lower(const Model& model, int64_t opset) {
    if (opset < kMinOpset || opset > kMaxOpset)
        fail("option '--opset': ", std::to_string(opset), " is outside the supported range ", std::to_string(kMinOpset),
             "..", std::to_string(kMaxOpset));
    Model out = model;
    out.nodes.clear();
    out.opsets[""] = opset;
    Lowering lowering{out, opset};
    lowering.run(model);
    return out;
}

}  // namespace hfx
