#include "graph/build.h"

#include <cstddef>
#include <cstring>
#include <exception>

#include "core/error.h"
#include "graph/tiny_weights.h"

namespace hfx {
namespace {

// Every table function catches: an exception never crosses the C boundary.
template <class R, class F>
R guarded(hfx_build* b, R on_error, F&& f) {
    try {
        return f();
    } catch (const Error& e) {
        b->error = e.what();
        b->host_failed = true;
        b->host_error_kind = e.kind();
    } catch (const std::exception& e) {
        b->error = e.what();
        b->host_failed = true;
        b->host_error_kind = ErrorKind::internal;
    }
    return on_error;
}

hfx_value add_value(hfx_build* b, const std::string& name, DType t) {
    b->value_names.push_back(name);
    b->value_types.push_back(t);
    return hfx_value(b->value_names.size() - 1);
}

const std::string& value_name(const hfx_build* b, hfx_value v) {
    if (v < 0 || size_t(v) >= b->value_names.size()) fail("graph: invalid value handle ", std::to_string(v));
    return b->value_names[size_t(v)];
}

ValueInfo io_info(const hfx_io_desc* d) {
    if (!d || d->struct_size < sizeof(uint32_t) || !d->name || !*d->name) fail("graph: input/output without a name");
    ValueInfo info;
    info.name = d->name;
    info.dtype = dtype_from_int(d->dtype);
    if (info.dtype == DType::undefined)
        fail("graph input/output '", info.name, "': unknown dtype ", std::to_string(d->dtype));
    if (d->rank < 0 || d->rank > 8) fail("graph input/output '", info.name, "': rank out of range");
    for (int32_t k = 0; k < d->rank; ++k) {
        Dim dim;
        dim.size = d->dims[k];
        if (dim.size < 0) dim.symbol = d->dim_names && d->dim_names[k] ? d->dim_names[k] : "dim" + std::to_string(k);
        info.dims.push_back(dim);
    }
    info.dummy.kind = DummySpec::Kind(d->dummy_kind);
    info.dummy.low = d->dummy_low;
    info.dummy.high = d->dummy_high;
    if (d->struct_size >= offsetof(hfx_io_desc, dummy_end) + sizeof(d->dummy_end)) info.dummy.end = d->dummy_end;
    if (info.dummy.kind == DummySpec::IdsEnding && (info.dummy.end < 0 || info.dummy.high - info.dummy.low < 2))
        fail("graph input '", info.name,
             "': HFX_DUMMY_IDS_ENDING needs dummy_end >= 0 and at least 2 ids in [low, high)");
    return info;
}

DType infer_dtype(const hfx_build* b, const Node& n, size_t output) {
    const std::string& op = n.op;
    if (op == "Cast") return DType(n.attr_i("to", 1));
    if (op == "Shape" || op == "Size" || op == "ArgMax" || op == "ArgMin" || op == "NonZero") return DType::i64;
    if (op == "Equal" || op == "Less" || op == "Greater" || op == "LessOrEqual" || op == "GreaterOrEqual" ||
        op == "Not" || op == "And" || op == "Or" || op == "Xor" || op == "IsNaN" || op == "IsInf")
        return DType::boolean;
    if (op == "ConstantOfShape") return n.has("value") ? n.attrs.at("value").t.dtype : DType::f32;
    if (op == "TopK" && output == 1) return DType::i64;
    size_t src = op == "Where" ? 1 : 0;
    if (src >= n.inputs.size() || n.inputs[src].empty()) return DType::f32;
    for (size_t k = 0; k < b->value_names.size(); ++k)
        if (b->value_names[k] == n.inputs[src]) return b->value_types[k];
    return DType::f32;
}

Attr to_attr(const hfx_attr& a) {
    Attr out;
    switch (a.kind) {
        case HFX_ATTR_INT:
            out.kind = Attr::Int;
            out.i = a.i;
            break;
        case HFX_ATTR_FLOAT:
            out.kind = Attr::Float;
            out.f = a.f;
            break;
        case HFX_ATTR_STRING:
            out.kind = Attr::String;
            out.s = a.s ? a.s : "";
            break;
        case HFX_ATTR_INTS:
            out.kind = Attr::Ints;
            out.ints.assign(a.ints, a.ints + a.count);
            break;
        case HFX_ATTR_FLOATS:
            out.kind = Attr::Floats;
            out.floats.assign(a.floats, a.floats + a.count);
            break;
        default:
            fail("attribute '", a.name ? a.name : "?", "': unknown kind ", std::to_string(a.kind));
    }
    return out;
}

// -- the C table ----------------------------------------------------------

const char* api_model_type(const hfx_build* b) { return b->model_type.c_str(); }
const char* api_feature(const hfx_build* b) { return b->feature.c_str(); }
int64_t api_opset(const hfx_build* b) { return b->opset; }
const char* api_component(const hfx_build* b) {
    b->component_read = true;  // tells a plugin that builds split layouts from one that ignores them
    return b->component.c_str();
}
const char* api_last_error(const hfx_build* b) { return b->error.c_str(); }
void api_set_error(hfx_build* b, const char* msg) { b->error = msg ? msg : "unknown error"; }

int api_config_number(const hfx_build* b, const char* p, double* out) {
    const nlohmann::json* j = config_at(b, p);
    if (!j || j->is_null()) return 0;
    if (!j->is_number()) return -1;
    *out = j->get<double>();
    return 1;
}
int api_config_string(const hfx_build* b, const char* p, const char** out) {
    const nlohmann::json* j = config_at(b, p);
    if (!j || j->is_null()) return 0;
    if (!j->is_string()) return -1;
    *out = j->get_ref<const std::string&>().c_str();
    return 1;
}
int api_config_bool(const hfx_build* b, const char* p, int* out) {
    const nlohmann::json* j = config_at(b, p);
    if (!j || j->is_null()) return 0;
    if (!j->is_boolean()) return -1;
    *out = j->get<bool>() ? 1 : 0;
    return 1;
}
int api_config_size(const hfx_build* b, const char* p, size_t* out) {
    const nlohmann::json* j = config_at(b, p);
    if (!j || !(j->is_array() || j->is_object())) return 0;
    *out = j->size();
    return 1;
}
int api_config_key(const hfx_build* b, const char* p, size_t index, const char** out) {
    const nlohmann::json* j = config_at(b, p);
    if (!j || !j->is_object() || index >= j->size()) return 0;
    auto it = j->begin();
    std::advance(it, index);
    *out = it.key().c_str();
    return 1;
}

int api_weight_info(const hfx_build* b, const char* name, hfx_weight_info* out) {
    if (b->tiny) return name ? tiny_weight_info(*b->tiny, name, out) : 0;
    const WeightRef* w = name ? b->checkpoint->find(name) : nullptr;
    if (!w) return 0;
    if (out && out->struct_size >= sizeof(hfx_weight_info)) {
        out->dtype = int32_t(w->dtype);
        out->rank = int32_t(w->shape.size() > 8 ? 8 : w->shape.size());
        for (int32_t k = 0; k < out->rank; ++k) out->shape[k] = w->shape[size_t(k)];
    }
    return 1;
}

hfx_value api_input(hfx_build* b, const hfx_io_desc* d) {
    return guarded<hfx_value>(b, -1, [&] {
        ValueInfo info = io_info(d);
        for (const ValueInfo& v : b->model.inputs)
            if (v.name == info.name) fail("graph input '", info.name, "': declared twice");
        b->model.inputs.push_back(info);
        return add_value(b, info.name, info.dtype);
    });
}

int api_output(hfx_build* b, hfx_value v, const hfx_io_desc* d) {
    return guarded<int>(b, HFX_ERROR, [&] {
        ValueInfo info = io_info(d);
        for (const ValueInfo& o : b->model.outputs)
            if (o.name == info.name) fail("graph output '", info.name, "': declared twice");
        // Graph outputs carry their own names: an Identity keeps the producing node untouched.
        Node n;
        n.op = "Identity";
        n.name = "/" + info.name + "/Identity";
        n.inputs = {value_name(b, v)};
        n.outputs = {info.name};
        info.dtype = b->value_types[size_t(v)];
        b->model.nodes.push_back(std::move(n));
        b->model.outputs.push_back(info);
        add_value(b, info.name, info.dtype);
        return HFX_OK;
    });
}

hfx_value api_weight(hfx_build* b, const char* name, int32_t rank, const int64_t* expected) {
    return guarded<hfx_value>(b, -1, [&] {
        if (!name) fail("tensor: null name");
        if (b->tiny) {
            const Tensor& t = tiny_weight(*b->tiny, name, rank, expected);
            if (!b->model.initializers.count(name)) b->model.initializers[name] = t;
            return add_value(b, name, DType::f32);
        }
        const WeightRef& w = b->checkpoint->at(name);
        bool ok = int32_t(w.shape.size()) == rank;
        for (int32_t k = 0; ok && k < rank; ++k) ok = expected[k] < 0 || expected[k] == w.shape[size_t(k)];
        if (!ok) {
            Shape want(expected, expected + rank);
            std::string ws = "(";
            for (int32_t k = 0; k < rank; ++k)
                ws += (k ? ", " : "") + (want[size_t(k)] < 0 ? std::string("?") : std::to_string(want[size_t(k)]));
            fail_checkpoint("tensor '", name, "': shape ", shape_str(w.shape), " does not match the config's ",
                            ws + ")", " (", w.file, ")");
        }
        DType t = w.dtype;
        if (t != DType::f32 && t != DType::f16 && t != DType::bf16 && t != DType::f64 && t != DType::i64 &&
            t != DType::i32)
            fail_checkpoint("tensor '", name, "': dtype ", dtype_name(t), " is not supported (", w.file, ")");
        std::string key = name;
        if (!b->model.initializers.count(key)) b->model.initializers[key] = b->checkpoint->tensor(name);
        bool is_float = t == DType::f16 || t == DType::bf16 || t == DType::f64 || t == DType::f32;
        return add_value(b, key, is_float ? DType::f32 : t);
    });
}

hfx_value api_constant(hfx_build* b, const char* name, int32_t dtype, int32_t rank, const int64_t* shape,
                       const void* data) {
    return guarded<hfx_value>(b, -1, [&] {
        DType t = dtype_from_int(dtype);
        if (t == DType::undefined) fail("constant: unknown dtype ", std::to_string(dtype));
        if (rank < 0 || rank > 8) fail("constant: rank out of range");
        Shape s(shape, shape + rank);
        Tensor tensor = Tensor::empty(t, s);
        if (tensor.nbytes()) std::memcpy(tensor.data, data, tensor.nbytes());
        std::string key = name && *name ? name : "onnx::Constant_" + std::to_string(b->constant_count++);
        b->model.initializers[key] = std::move(tensor);
        return add_value(b, key, t);
    });
}

int api_node(hfx_build* b, const hfx_node_desc* d, hfx_value* outputs) {
    return guarded<int>(b, HFX_ERROR, [&] {
        if (!d || !d->op_type || !*d->op_type) fail("graph: node without op_type");
        Node n;
        n.op = d->op_type;
        n.domain = d->domain ? d->domain : "";
        std::string base = d->name && *d->name ? d->name : "/" + n.op;
        int uses = b->name_uses[base]++;
        n.name = uses ? base + "_" + std::to_string(uses) : base;
        for (size_t k = 0; k < d->num_inputs; ++k)
            n.inputs.push_back(d->inputs[k] < 0 ? "" : value_name(b, d->inputs[k]));
        for (size_t k = 0; k < d->num_attrs; ++k) {
            if (!d->attrs[k].name) fail("node '", n.name, "': attribute without a name");
            n.attrs[d->attrs[k].name] = to_attr(d->attrs[k]);
        }
        for (size_t k = 0; k < d->num_outputs; ++k) n.outputs.push_back(n.name + "_output_" + std::to_string(k));
        for (size_t k = 0; k < d->num_outputs; ++k) outputs[k] = add_value(b, n.outputs[k], infer_dtype(b, n, k));
        b->model.nodes.push_back(std::move(n));
        return HFX_OK;
    });
}

hfx_value api_dtype_of(const hfx_build* b, hfx_value v) {
    if (v < 0 || size_t(v) >= b->value_types.size()) return -1;
    return hfx_value(b->value_types[size_t(v)]);
}

int api_set_property(hfx_build* b, const char* key, const char* value) {
    if (!key || !value) return HFX_ERROR;
    b->properties[key] = value;
    return HFX_OK;
}

}  // namespace

const nlohmann::json* config_at(const hfx_build* b, const char* pointer) {
    if (!pointer) return nullptr;
    try {
        std::string p = pointer;
        if (!p.empty() && p[0] != '/') p = "/" + p;
        b->config_reads.insert(p);
        nlohmann::json::json_pointer ptr(p);
        const nlohmann::json& root = b->config ? *b->config : b->checkpoint->config();
        return root.contains(ptr) ? &root.at(ptr) : nullptr;
    } catch (const std::exception&) {
        return nullptr;
    }
}

const hfx_host_api* host_api() {
    // Filled by field name: a field added to the ABI can never shift the others.
    static const hfx_host_api api = {
        .struct_size = sizeof(hfx_host_api),
        .abi_minor = HFX_ABI_MINOR,
        .model_type = api_model_type,
        .feature = api_feature,
        .opset = api_opset,
        .last_error = api_last_error,
        .set_error = api_set_error,
        .config_number = api_config_number,
        .config_string = api_config_string,
        .config_bool = api_config_bool,
        .config_size = api_config_size,
        .config_key = api_config_key,
        .weight_info = api_weight_info,
        .input = api_input,
        .output = api_output,
        .weight = api_weight,
        .constant = api_constant,
        .node = api_node,
        .dtype_of = api_dtype_of,
        .set_property = api_set_property,
        .component = api_component,
    };
    return &api;
}

}  // namespace hfx
