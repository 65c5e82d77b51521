// The C++ graph builder over the C ABI. Plugins write model code with it the
// way candle or llama.cpp do: short functions over symbolic Values.
//
//   Value h = g.weight("bert.embeddings.word_embeddings.weight", {vocab, hidden});
//   Value x = gather(h, input_ids) + positions;
//
// Node names follow the HF module path: the current scope (set with
// `auto s = g.scope("bert/encoder/layer.0")`, or from a Weights prefix) plus
// the op type, e.g. "/bert/encoder/layer.0/attention/self/query/MatMul".
#pragma once
#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "hfx/abi.h"
#include "hfx/config.h"
#include "hfx/error.h"

namespace hfx {

class Graph;

enum class DT : int32_t { f32 = HFX_FLOAT, i64 = HFX_INT64, i32 = HFX_INT32, boolean = HFX_BOOL, u8 = HFX_UINT8 };

struct Value {
    int32_t id = -1;
    Graph* g = nullptr;
    bool valid() const { return id >= 0 && g; }
};

// One attribute of a node; owns its data until the node is added.
struct A {
    std::string name;
    int32_t kind = HFX_ATTR_INT;
    int64_t i = 0;
    float f = 0;
    std::string s;
    std::vector<int64_t> ints;
    std::vector<float> floats;

    static A integer(std::string n, int64_t v) {
        A a;
        a.name = std::move(n);
        a.i = v;
        return a;
    }
    static A real(std::string n, float v) {
        A a;
        a.name = std::move(n);
        a.kind = HFX_ATTR_FLOAT;
        a.f = v;
        return a;
    }
    static A str(std::string n, std::string v) {
        A a;
        a.name = std::move(n);
        a.kind = HFX_ATTR_STRING;
        a.s = std::move(v);
        return a;
    }
    static A list(std::string n, std::vector<int64_t> v) {
        A a;
        a.name = std::move(n);
        a.kind = HFX_ATTR_INTS;
        a.ints = std::move(v);
        return a;
    }
    static A reals(std::string n, std::vector<float> v) {
        A a;
        a.name = std::move(n);
        a.kind = HFX_ATTR_FLOATS;
        a.floats = std::move(v);
        return a;
    }
};

// A graph input/output as OnnxConfig declares it: name, element type, and per
// axis a fixed size (>= 0) or a symbolic name.
struct IO {
    std::string name;
    DT dtype = DT::f32;
    std::vector<std::string> axes;  // "batch", "sequence", or a number as text ("4")
    int32_t dummy = HFX_DUMMY_NONE;
    int64_t low = 0, high = 0;
    int64_t end = -1;  // HFX_DUMMY_IDS_ENDING: the token closing each row (eos)
};

class Graph {
public:
    Graph(const hfx_host_api* api, hfx_build* b) : api_(api), b_(b) {}

    std::string model_type() const { return api_->model_type(b_); }
    std::string feature() const { return api_->feature(b_); }
    int64_t opset() const { return api_->opset(b_); }
    // "" for a single-file export, else "encoder" / "decoder" / "decoder-with-past".
    std::string component() const { return api_->component(b_); }
    Config config() const { return Config(api_, b_); }
    const hfx_host_api* api() const { return api_; }
    hfx_build* build() const { return b_; }

    // -- name scopes --------------------------------------------------------
    class Scope {
    public:
        Scope(Graph& g, std::string s) : g_(g), saved_(g.scope_) { g.scope_ = std::move(s); }
        ~Scope() { g_.scope_ = saved_; }
        Scope(const Scope&) = delete;
        Scope& operator=(const Scope&) = delete;

    private:
        Graph& g_;
        std::string saved_;
    };
    // `hf_path` is a module path with dots or slashes ("bert.encoder.layer.0").
    [[nodiscard]] Scope scope(const std::string& hf_path) { return Scope(*this, to_scope(hf_path)); }
    const std::string& current_scope() const { return scope_; }
    static std::string to_scope(const std::string& hf_path) {
        std::string s = "/" + hf_path;
        for (char& c : s)
            if (c == '.') c = '/';
        // "layer/0" reads better as "layer.0", as in the HF module names.
        std::string out;
        for (size_t k = 0; k < s.size(); ++k) {
            if (s[k] == '/' && k + 1 < s.size() && isdigit(static_cast<unsigned char>(s[k + 1])) && k > 1) out += '.';
            else out += s[k];
        }
        return out;
    }

    // -- graph interface ----------------------------------------------------
    Value input(const IO& io) {
        auto desc = io_desc(io);
        return wrap(api_->input(b_, &desc.d));
    }
    // Outputs are handed to the host by finish_outputs(), in `order` (then
    // declaration) order: models compute their cache before their logits, but
    // transformers.onnx lists logits first, and a TorchScript tuple is positional.
    void output(Value v, const IO& io, int order = 0) { pending_outputs_.push_back({order, io, v}); }
    void finish_outputs() {
        std::stable_sort(pending_outputs_.begin(), pending_outputs_.end(),
                         [](const PendingOutput& a, const PendingOutput& b) { return a.order < b.order; });
        for (const PendingOutput& o : pending_outputs_) {
            auto desc = io_desc(o.io);
            check(api_->output(b_, o.value.id, &desc.d));
        }
        pending_outputs_.clear();
    }
    bool has_weight(const std::string& name) const {
        hfx_weight_info info{sizeof(hfx_weight_info)};
        return api_->weight_info(b_, name.c_str(), &info) == 1;
    }
    // The checkpoint's shape of `name` (error naming it when absent).
    std::vector<int64_t> weight_shape(const std::string& name) const {
        hfx_weight_info info{sizeof(hfx_weight_info)};
        if (api_->weight_info(b_, name.c_str(), &info) != 1)
            throw Error(ErrorKind::checkpoint, "tensor '" + name + "': not found in the checkpoint");
        return std::vector<int64_t>(info.shape, info.shape + info.rank);
    }
    // A checkpoint tensor by HF name, shape checked (-1 = any size on that axis).
    Value weight(const std::string& name, std::vector<int64_t> shape) {
        return wrap(api_->weight(b_, name.c_str(), int32_t(shape.size()), shape.data()));
    }
    Value constant_i64(std::vector<int64_t> values, std::vector<int64_t> shape = {-2}) {
        if (shape.size() == 1 && shape[0] == -2) shape = {int64_t(values.size())};
        return wrap(api_->constant(b_, nullptr, HFX_INT64, int32_t(shape.size()), shape.data(), values.data()));
    }
    Value constant_f32(std::vector<float> values, std::vector<int64_t> shape = {-2}) {
        if (shape.size() == 1 && shape[0] == -2) shape = {int64_t(values.size())};
        return wrap(api_->constant(b_, nullptr, HFX_FLOAT, int32_t(shape.size()), shape.data(), values.data()));
    }
    Value scalar(float v) { return constant_f32({v}, {}); }
    Value scalar_i64(int64_t v) { return constant_i64({v}, {}); }

    // Adds one node of `op` and returns its outputs.
    std::vector<Value> nodes(const std::string& op, std::vector<Value> inputs, std::vector<A> attrs = {},
                             size_t num_outputs = 1, const std::string& domain = "") {
        std::vector<hfx_value> ins;
        for (const Value& v : inputs) ins.push_back(v.id);
        std::vector<hfx_attr> as;
        for (const A& a : attrs) {
            hfx_attr x{};
            x.name = a.name.c_str();
            x.kind = a.kind;
            x.i = a.i;
            x.f = a.f;
            x.s = a.s.c_str();
            x.count = a.kind == HFX_ATTR_FLOATS ? a.floats.size() : a.ints.size();
            x.ints = a.ints.data();
            x.floats = a.floats.data();
            as.push_back(x);
        }
        std::string name = scope_ + "/" + op;
        hfx_node_desc d{sizeof(hfx_node_desc)};
        d.op_type = op.c_str();
        d.domain = domain.c_str();
        d.name = name.c_str();
        d.num_inputs = ins.size();
        d.inputs = ins.data();
        d.num_outputs = num_outputs;
        d.num_attrs = as.size();
        d.attrs = as.data();
        std::vector<hfx_value> outs(num_outputs, -1);
        check(api_->node(b_, &d, outs.data()));
        std::vector<Value> result;
        for (hfx_value o : outs) result.push_back(wrap(o));
        return result;
    }
    Value node(const std::string& op, std::vector<Value> inputs, std::vector<A> attrs = {}) {
        return nodes(op, std::move(inputs), std::move(attrs), 1)[0];
    }

    void set_property(const std::string& key, const std::string& value) {
        check(api_->set_property(b_, key.c_str(), value.c_str()));
    }
    DT dtype(Value v) const { return DT(api_->dtype_of(b_, v.id)); }

private:
    struct PendingOutput {
        int order;
        IO io;
        Value value;
    };
    struct Desc {
        hfx_io_desc d{};
        std::vector<int64_t> dims;
        std::vector<std::string> names;
        std::vector<const char*> name_ptrs;
    };
    static Desc io_desc_impl(const IO& io, Desc&& desc) {
        for (const std::string& a : io.axes) {
            bool fixed = !a.empty() && a.find_first_not_of("0123456789") == std::string::npos;
            desc.dims.push_back(fixed ? std::stoll(a) : -1);
            desc.names.push_back(fixed ? "" : a);
        }
        return std::move(desc);
    }
    Desc io_desc(const IO& io) const {
        Desc desc = io_desc_impl(io, Desc{});
        for (const std::string& n : desc.names) desc.name_ptrs.push_back(n.c_str());
        desc.d.struct_size = sizeof(hfx_io_desc);
        desc.d.name = io.name.c_str();
        desc.d.dtype = int32_t(io.dtype);
        desc.d.rank = int32_t(io.axes.size());
        desc.d.dims = desc.dims.data();
        desc.d.dim_names = desc.name_ptrs.data();
        desc.d.dummy_kind = io.dummy;
        desc.d.dummy_low = io.low;
        desc.d.dummy_high = io.high;
        desc.d.dummy_end = io.end;
        return desc;
    }
    Value wrap(hfx_value v) {
        if (v < 0) throw Error(api_->last_error(b_));
        return Value{v, this};
    }
    void check(int rc) const {
        if (rc != HFX_OK) throw Error(api_->last_error(b_));
    }

    const hfx_host_api* api_;
    hfx_build* b_;
    std::string scope_;
    std::vector<PendingOutput> pending_outputs_;
};

}  // namespace hfx
