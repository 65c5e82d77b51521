// Model -> onnx::ModelProto (structure only; tensor data is streamed by the writer).
#include <onnx/onnx_pb.h>

#include "core/error.h"
#include "export/half_weights.h"
#include "export/writer.h"

namespace hfx {
namespace {

// `stored`: the type written, which the writer converts to (float32) when it differs from v's.
void set_tensor_header(onnx::TensorProto& t, const std::string& name, const Tensor& v, DType stored) {
    t.set_name(name);
    t.set_data_type(int32_t(stored));
    for (int64_t d : v.shape) t.add_dims(d);
}

void set_value_info(onnx::ValueInfoProto& vi, const ValueInfo& v) {
    vi.set_name(v.name);
    auto* tt = vi.mutable_type()->mutable_tensor_type();
    tt->set_elem_type(int32_t(v.dtype));
    auto* shape = tt->mutable_shape();
    for (const Dim& d : v.dims) {
        auto* dim = shape->add_dim();
        if (d.size >= 0) dim->set_dim_value(d.size);
        else dim->set_dim_param(d.symbol);
    }
}

void set_attr(onnx::AttributeProto& a, const std::string& name, const Attr& v) {
    a.set_name(name);
    switch (v.kind) {
        case Attr::Int:
            a.set_type(onnx::AttributeProto::INT);
            a.set_i(v.i);
            break;
        case Attr::Float:
            a.set_type(onnx::AttributeProto::FLOAT);
            a.set_f(v.f);
            break;
        case Attr::String:
            a.set_type(onnx::AttributeProto::STRING);
            a.set_s(v.s);
            break;
        case Attr::Ints:
            a.set_type(onnx::AttributeProto::INTS);
            for (int64_t x : v.ints) a.add_ints(x);
            break;
        case Attr::Floats:
            a.set_type(onnx::AttributeProto::FLOATS);
            for (float x : v.floats) a.add_floats(x);
            break;
        case Attr::Strings:
            a.set_type(onnx::AttributeProto::STRINGS);
            for (const auto& x : v.strings) a.add_strings(x);
            break;
        case Attr::TensorValue: {
            a.set_type(onnx::AttributeProto::TENSOR);
            auto* t = a.mutable_t();
            // A node's tensor attribute is read where it stands: floating values as float32.
            bool floating = v.t.dtype == DType::f16 || v.t.dtype == DType::bf16 || v.t.dtype == DType::f64;
            set_tensor_header(*t, "", v.t, floating ? DType::f32 : v.t.dtype);
            Tensor f = floating ? v.t.to_f32() : v.t;
            t->set_raw_data(f.data, f.nbytes());
            break;
        }
        case Attr::Graph:
            fail("attribute '", name, "': graph attributes are not written");
    }
}

}  // namespace

onnx::ModelProto to_proto_skeleton(const Model& model, bool external_data, const std::string& data_file) {
    onnx::ModelProto mp;
    mp.set_ir_version(8);  // ONNX 1.10+; every opset 11..17 runtime reads it
    mp.set_producer_name(model.producer);
    mp.set_producer_version(HFX_VERSION);
    for (const auto& [domain, version] : model.opsets) {
        auto* o = mp.add_opset_import();
        o->set_domain(domain);
        o->set_version(version);
    }
    for (const auto& [k, v] : model.metadata) {
        auto* p = mp.add_metadata_props();
        p->set_key(k);
        p->set_value(v);
    }
    auto* g = mp.mutable_graph();
    g->set_name("main_graph");
    for (const ValueInfo& v : model.inputs) set_value_info(*g->add_input(), v);
    for (const ValueInfo& v : model.outputs) set_value_info(*g->add_output(), v);
    for (const Node& n : model.nodes) {
        auto* np = g->add_node();
        np->set_op_type(n.op);
        np->set_name(n.name);
        if (!n.domain.empty()) np->set_domain(n.domain);
        for (const auto& i : n.inputs) np->add_input(i);
        for (const auto& o : n.outputs) np->add_output(o);
        for (const auto& [k, a] : n.attrs) set_attr(*np->add_attribute(), k, a);
    }
    uint64_t offset = 0;
    for (const auto& [name, t] : model.initializers) {
        auto* tp = g->add_initializer();
        set_tensor_header(*tp, name, t, written_dtype(t.dtype, model.opset()));
        uint64_t bytes = uint64_t(t.numel()) * dtype_size(DType(tp->data_type()));
        if (!external_data || bytes < kExternalDataMinBytes) continue;
        offset = (offset + kExternalDataAlign - 1) / kExternalDataAlign * kExternalDataAlign;
        tp->set_data_location(onnx::TensorProto::EXTERNAL);
        for (auto [k, v] : {std::pair<std::string, std::string>{"location", data_file},
                            {"offset", std::to_string(offset)},
                            {"length", std::to_string(bytes)}}) {
            auto* e = tp->add_external_data();
            e->set_key(k);
            e->set_value(v);
        }
        offset += bytes;
    }
    return mp;
}

}  // namespace hfx
