// The in-memory model every part of the host shares: plugins build it, the
// writer lowers and serialises it, the loader reads ONNX files into it, and
// the runtime executes it. Values are named as in ONNX.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "core/tensor.h"

namespace hfx {

struct Model;

struct Attr {
    enum Kind { Int, Float, String, Ints, Floats, TensorValue, Strings, Graph } kind = Int;
    int64_t i = 0;
    float f = 0;
    std::string s;
    std::vector<int64_t> ints;
    std::vector<float> floats;
    std::vector<std::string> strings;
    Tensor t;
    // Graph: a subgraph (Loop's body) as a Model whose opsets are its parent's; it may
    // read names of the enclosing graphs (outer scope). Only the loader makes these.
    std::shared_ptr<const Model> g;
};
using Attrs = std::map<std::string, Attr>;

struct Node {
    std::string op;
    std::string domain;  // "" is the default ONNX domain
    std::string name;
    std::vector<std::string> inputs;  // "" marks an omitted optional input
    std::vector<std::string> outputs;
    Attrs attrs;

    bool has(const std::string& key) const { return attrs.count(key) != 0; }
    int64_t attr_i(const std::string& key, int64_t fallback) const;
    float attr_f(const std::string& key, float fallback) const;
    std::string attr_s(const std::string& key, const std::string& fallback) const;
    std::vector<int64_t> attr_ints(const std::string& key) const;  // empty when absent
};

// One dimension of a graph input/output: a fixed size or a symbolic name.
struct Dim {
    int64_t size = -1;
    std::string symbol;  // set when size < 0
};

// How the validator makes a dummy value for an input (OnnxConfig.generate_dummy_inputs).
struct DummySpec {
    enum Kind { None, Ids, Mask, Constant, Normal, Positions, Boxes, IdsEnding } kind = None;
    int64_t low = 0, high = 0;  // Ids: integers in [low, high); Constant: low
    int64_t end = -1;           // IdsEnding: the token closing each row's unpadded part
};

struct ValueInfo {
    std::string name;
    DType dtype = DType::f32;
    std::vector<Dim> dims;
    DummySpec dummy;
    bool sequence = false;  // seq(tensor of dtype) (loaded ONNX files only); dims then unknown
};

struct Model {
    std::vector<ValueInfo> inputs;
    std::vector<ValueInfo> outputs;
    std::vector<Node> nodes;  // topologically ordered
    std::map<std::string, Tensor> initializers;
    std::map<std::string, int64_t> opsets;  // domain -> version ("" = ai.onnx)
    std::map<std::string, std::string> metadata;
    std::string producer = "hfexport";

    int64_t opset() const;  // the default domain's version
};

}  // namespace hfx
