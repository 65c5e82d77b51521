#include "export/half_weights.h"

#include <map>

namespace hfx {

DType written_dtype(DType t, int64_t opset) {
    if (t == DType::f64) return DType::f32;
    if (t == DType::bf16 && opset < 13) return DType::f32;
    return t;
}

void keep_half_weights(Model& model) {
    int64_t opset = model.opset();
    std::map<std::string, std::string> cast_of;  // weight -> its float32 value
    std::vector<Node> casts;
    for (const auto& [name, t] : model.initializers) {
        if (t.dtype != DType::f16 && t.dtype != DType::bf16) continue;
        if (written_dtype(t.dtype, opset) == DType::f32) continue;
        Node cast;
        cast.op = "Cast";
        cast.name = name + "/Cast";
        cast.inputs = {name};
        cast.outputs = {cast.name + "_output_0"};
        cast.attrs["to"] = Attr{Attr::Int, int64_t(DType::f32)};
        cast_of[name] = cast.outputs[0];
        casts.push_back(std::move(cast));
    }
    if (casts.empty()) return;
    for (Node& n : model.nodes)
        for (std::string& in : n.inputs)
            if (auto it = cast_of.find(in); it != cast_of.end()) in = it->second;
    // Graph outputs are Identity nodes (graph/build.cpp), so node inputs are all the readers.
    model.nodes.insert(model.nodes.begin(), std::make_move_iterator(casts.begin()),
                       std::make_move_iterator(casts.end()));
}

}  // namespace hfx
