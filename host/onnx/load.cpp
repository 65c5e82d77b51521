// ONNX file -> hfx::Model. The file is mapped read-only; initializer tensors
// view their raw_data inside the mapping (found by export/onnx_wire) or inside
// mapped external data files, so loading copies no weights.
#include "onnx/load.h"
#include "onnx/tensor.h"

#include <onnx/onnx_pb.h>
// (after onnx_pb.h, which defines ONNX_API)
#include <onnx/onnx-data.pb.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <limits>
#include <map>

#include "core/checked.h"
#include "core/error.h"
#include "core/mapped_file.h"
#include "onnx/wire.h"

namespace hfx {
namespace {

namespace fs = std::filesystem;

struct Loader {
    std::string path;
    fs::path dir;
    std::shared_ptr<MappedFile> file;
    std::map<std::string, std::shared_ptr<MappedFile>> external;

    template <class... Parts>
    [[noreturn]] void bad(const Parts&... parts) const {
        fail("onnx '", path, "': ", parts...);
    }

    Shape dims_of(const onnx::TensorProto& t, const std::string& name) const {
        Shape s(t.dims().begin(), t.dims().end());
        for (int64_t d : s)
            if (d < 0) bad("tensor '", name, "': negative dimension in shape ", shape_str(s));
        return s;
    }

    // The bytes the tensor's shape needs, refused when they overflow (a 2^62
    // float32 tensor would otherwise need "0" bytes and be read past its data).
    size_t bytes_of(const Shape& shape, DType dtype, const std::string& name) const {
        size_t bytes = 0;
        if (!checked_nbytes(shape, dtype_size(dtype), &bytes))
            bad("tensor '", name, "': ", dtype_name(dtype), " shape ", shape_str(shape),
                " is too large (over 2^63 bytes)");
        return bytes;
    }

    const MappedFile& external_file(const std::string& location, const std::string& name) {
        fs::path rel(location);
        if (location.empty() || rel.is_absolute())
            bad("tensor '", name, "': external data location '", location, "' must be relative");
        for (const auto& part : rel)
            if (part == "..")
                bad("tensor '", name, "': external data location '", location, "' leaves the model folder");
        auto& m = external[location];
        if (!m) {
            try {
                m = MappedFile::open((dir / rel).string(), "external data");
            } catch (const Error& e) {
                bad("tensor '", name, "': ", e.what());
            }
        }
        return *m;
    }

    Tensor external_tensor(const onnx::TensorProto& t, DType dtype, Shape shape, const std::string& name) {
        std::string location;
        uint64_t offset = 0, length = 0;
        bool has_length = false;
        for (const auto& kv : t.external_data()) {
            try {
                if (kv.key() == "location") location = kv.value();
                else if (kv.key() == "offset") offset = std::stoull(kv.value());
                else if (kv.key() == "length") {
                    length = std::stoull(kv.value());
                    has_length = true;
                }
            } catch (const std::exception&) {
                bad("tensor '", name, "': bad external data ", kv.key(), " '", kv.value(), "'");
            }
        }
        size_t want = bytes_of(shape, dtype, name);
        const MappedFile& f = external_file(location, name);
        if (has_length && length != want)
            bad("tensor '", name, "': external length ", std::to_string(length), " but shape needs ",
                std::to_string(want));
        if (offset > f.size() || want > f.size() - offset)
            bad("tensor '", name, "': external data past the end of '", location, "'");
        std::shared_ptr<void> owner = external[location];
        Tensor out = Tensor::view(dtype, std::move(shape), f.data() + offset, owner);
        out.file_backed = true;
        return out;
    }

    template <class Src, class Dst, class Field>
    Tensor copy_typed(const Field& field, DType dtype, Shape shape, const std::string& name) {
        Tensor out = Tensor::empty(dtype, std::move(shape));
        if (int64_t(field.size()) != out.numel())
            bad("tensor '", name, "': has ", std::to_string(field.size()), " values, shape needs ",
                std::to_string(out.numel()));
        Dst* d = out.ptr<Dst>();
        for (int i = 0; i < field.size(); ++i) d[i] = Dst(Src(field.Get(i)));
        return out;
    }

    // `span` is where raw_data sits inside the main mapping (initializers only);
    // without it raw bytes are copied (small Constant attributes).
    Tensor tensor(const onnx::TensorProto& t, const ByteSpan* span, const std::string& what) {
        const std::string& name = t.name().empty() ? what : t.name();
        DType dtype = dtype_from_int(t.data_type());
        if (dtype == DType::undefined)
            bad("tensor '", name, "': unsupported data type ", std::to_string(t.data_type()));
        Shape shape = dims_of(t, name);
        size_t want = bytes_of(shape, dtype, name);
        if (t.data_location() == onnx::TensorProto::EXTERNAL) return external_tensor(t, dtype, shape, name);
        if (span && span->present) {
            if (span->size != want)
                bad("tensor '", name, "': raw_data has ", std::to_string(span->size), " bytes, shape needs ",
                    std::to_string(want));
            Tensor out = Tensor::view(dtype, std::move(shape), file->data() + span->offset, file);
            out.file_backed = true;
            return out;
        }
        if (t.has_raw_data()) {
            if (t.raw_data().size() != want)
                bad("tensor '", name, "': raw_data has ", std::to_string(t.raw_data().size()), " bytes, shape needs ",
                    std::to_string(want));
            Tensor out = Tensor::empty(dtype, std::move(shape));
            if (want) std::memcpy(out.data, t.raw_data().data(), want);
            return out;
        }
        switch (dtype) {
            case DType::f32:
                return copy_typed<float, float>(t.float_data(), dtype, shape, name);
            case DType::f64:
                return copy_typed<double, double>(t.double_data(), dtype, shape, name);
            case DType::i64:
                return copy_typed<int64_t, int64_t>(t.int64_data(), dtype, shape, name);
            case DType::i32:
                return copy_typed<int32_t, int32_t>(t.int32_data(), dtype, shape, name);
            case DType::i16:
                return copy_typed<int32_t, int16_t>(t.int32_data(), dtype, shape, name);
            case DType::i8:
                return copy_typed<int32_t, int8_t>(t.int32_data(), dtype, shape, name);
            case DType::u8:
                return copy_typed<int32_t, uint8_t>(t.int32_data(), dtype, shape, name);
            case DType::boolean:
                return copy_typed<int32_t, uint8_t>(t.int32_data(), dtype, shape, name);
            case DType::u16:
            case DType::f16:
            case DType::bf16:  // bit patterns in int32_data
                return copy_typed<int32_t, uint16_t>(t.int32_data(), dtype, shape, name);
            case DType::u32:
                return copy_typed<uint64_t, uint32_t>(t.uint64_data(), dtype, shape, name);
            case DType::u64:
                return copy_typed<uint64_t, uint64_t>(t.uint64_data(), dtype, shape, name);
            default:
                bad("tensor '", name, "': unsupported data type ", std::to_string(t.data_type()));
        }
    }

    Attr attr(const onnx::AttributeProto& a, const std::string& node_name) {
        Attr out;
        int type = a.type();
        if (type == onnx::AttributeProto::UNDEFINED) {  // very old files: infer from the field set
            if (a.has_t()) type = onnx::AttributeProto::TENSOR;
            else if (a.ints_size()) type = onnx::AttributeProto::INTS;
            else if (a.floats_size()) type = onnx::AttributeProto::FLOATS;
            else if (a.strings_size()) type = onnx::AttributeProto::STRINGS;
            else if (a.has_s()) type = onnx::AttributeProto::STRING;
            else if (a.has_f()) type = onnx::AttributeProto::FLOAT;
            else type = onnx::AttributeProto::INT;
        }
        switch (type) {
            case onnx::AttributeProto::INT:
                out.kind = Attr::Int;
                out.i = a.i();
                break;
            case onnx::AttributeProto::FLOAT:
                out.kind = Attr::Float;
                out.f = a.f();
                break;
            case onnx::AttributeProto::STRING:
                out.kind = Attr::String;
                out.s = a.s();
                break;
            case onnx::AttributeProto::INTS:
                out.kind = Attr::Ints;
                out.ints.assign(a.ints().begin(), a.ints().end());
                break;
            case onnx::AttributeProto::FLOATS:
                out.kind = Attr::Floats;
                out.floats.assign(a.floats().begin(), a.floats().end());
                break;
            case onnx::AttributeProto::STRINGS:
                out.kind = Attr::Strings;
                out.strings.assign(a.strings().begin(), a.strings().end());
                break;
            case onnx::AttributeProto::TENSOR:
                out.kind = Attr::TensorValue;
                out.t = tensor(a.t(), nullptr, node_name + "." + a.name());
                break;
            case onnx::AttributeProto::GRAPH: {
                out.kind = Attr::Graph;
                out.g = std::make_shared<const Model>(subgraph(a.g(), node_name + "." + a.name()));
                break;
            }
            default:  // lists of graphs, sparse tensors, type protos: kept as a marker only
                out.kind = Attr::String;
                out.s = "<unsupported attribute type " + std::to_string(type) + ">";
        }
        return out;
    }

    ValueInfo value_info(const onnx::ValueInfoProto& v) {
        ValueInfo out;
        out.name = v.name();
        out.dtype = DType::undefined;
        if (v.type().has_sequence_type()) {
            out.sequence = true;
            const auto& e = v.type().sequence_type().elem_type();
            if (e.has_tensor_type()) out.dtype = dtype_from_int(e.tensor_type().elem_type());
        } else if (v.type().has_tensor_type()) {
            const auto& tt = v.type().tensor_type();
            out.dtype = dtype_from_int(tt.elem_type());
            if (tt.has_shape()) {
                for (const auto& d : tt.shape().dim()) {
                    Dim dim;
                    if (d.has_dim_value() && d.dim_value() < 0)
                        bad("value '", v.name(), "': negative dimension ", std::to_string(d.dim_value()));
                    if (d.has_dim_value()) dim.size = d.dim_value();
                    else dim.symbol = d.dim_param();
                    out.dims.push_back(dim);
                }
            }
        }
        return out;
    }

    std::map<std::string, int64_t> opsets;

    void add_node(Model& m, const onnx::NodeProto& n) {
        Node node;
        node.op = n.op_type();
        node.domain = n.domain() == "ai.onnx" ? "" : n.domain();
        node.name = n.name();
        node.inputs.assign(n.input().begin(), n.input().end());
        node.outputs.assign(n.output().begin(), n.output().end());
        for (const auto& a : n.attribute()) node.attrs[a.name()] = attr(a, node.name);
        m.nodes.push_back(std::move(node));
    }

    // A graph attribute: all its inputs are declared (no initializer defaults), its
    // initializers are small and copied.
    Model subgraph(const onnx::GraphProto& g, const std::string& what) {
        Model m;
        m.producer = "subgraph " + what;
        m.opsets = opsets;
        for (const auto& t : g.initializer()) {
            if (t.name().empty()) bad("graph '", what, "': an initializer has no name");
            m.initializers[t.name()] = tensor(t, nullptr, t.name());
        }
        for (const auto& v : g.input()) m.inputs.push_back(value_info(v));
        for (const auto& v : g.output()) m.outputs.push_back(value_info(v));
        for (const auto& n : g.node()) add_node(m, n);
        return m;
    }

    Model load() {
        file = MappedFile::open(path, "onnx");
        dir = fs::path(path).parent_path();
        if (file->size() == 0) bad("empty file");
        if (file->size() > size_t(std::numeric_limits<int>::max()))
            bad("larger than 2 GiB; store weights as external data");
        std::vector<ByteSpan> spans;
        if (!find_initializer_raw_data(file->data(), file->size(), spans))
            bad("not a valid ONNX model (truncated or corrupt)");
        // Protobuf parses a copy without the initializers' raw_data (they stay in the mapping),
        // so the weights are never copied, not even briefly.
        std::vector<unsigned char> stripped;
        if (!strip_initializer_raw_data(file->data(), file->size(), stripped))
            bad("not a valid ONNX model (truncated or corrupt)");
        onnx::ModelProto proto;
        if (!proto.ParseFromArray(stripped.data(), int(stripped.size())))
            bad("not a valid ONNX model (truncated or corrupt)");
        std::vector<unsigned char>().swap(stripped);
        if (!proto.has_graph()) bad("no graph");
        onnx::GraphProto* g = proto.mutable_graph();
        if (size_t(g->initializer_size()) != spans.size()) bad("initializer count mismatch while scanning");

        Model m;
        m.producer = proto.producer_name();
        for (const auto& op : proto.opset_import()) {
            std::string d = op.domain() == "ai.onnx" ? "" : op.domain();
            m.opsets[d] = op.version();
        }
        if (proto.opset_import_size() == 0) m.opsets[""] = 1;  // IR < 3 files
        for (const auto& kv : proto.metadata_props()) m.metadata[kv.key()] = kv.value();
        for (int i = 0; i < g->initializer_size(); ++i) {
            onnx::TensorProto* t = g->mutable_initializer(i);
            if (t->name().empty()) bad("initializer #", std::to_string(i), " has no name");
            m.initializers[t->name()] = tensor(*t, &spans[size_t(i)], t->name());
            t->clear_raw_data();  // (stripped before parsing; kept for the spans-absent case)
        }
        for (const auto& v : g->input())
            if (!m.initializers.count(v.name())) m.inputs.push_back(value_info(v));
        for (const auto& v : g->output()) m.outputs.push_back(value_info(v));
        opsets = m.opsets;
        for (int i = 0; i < g->node_size(); ++i) add_node(m, g->node(i));
        return m;
    }
};

}  // namespace

Model load_onnx(const std::string& path) {
    Loader loader;
    loader.path = path;
    try {
        return loader.load();
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        fail("onnx '", path, "': ", e.what());
    }
}

}  // namespace hfx

namespace hfx {

Tensor load_tensor_pb(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) fail("tensor file '", path, "': cannot open");
    std::stringstream ss;
    ss << f.rdbuf();
    onnx::TensorProto proto;
    if (!proto.ParseFromString(ss.str())) fail("tensor file '", path, "': not a TensorProto");
    Loader loader;
    loader.path = path;
    return loader.tensor(proto, nullptr, "tensor");
}

std::vector<Tensor> load_sequence_pb(const std::string& path, DType* elem_type) {
    std::ifstream f(path, std::ios::binary);
    if (!f) fail("sequence file '", path, "': cannot open");
    std::stringstream ss;
    ss << f.rdbuf();
    onnx::SequenceProto proto;
    if (!proto.ParseFromString(ss.str())) fail("sequence file '", path, "': not a SequenceProto");
    if (proto.elem_type() != onnx::SequenceProto::TENSOR) fail("sequence file '", path, "': not a sequence of tensors");
    Loader loader;
    loader.path = path;
    std::vector<Tensor> out;
    for (const auto& t : proto.tensor_values()) out.push_back(loader.tensor(t, nullptr, "tensor"));
    *elem_type = out.empty() ? DType::f32 : out[0].dtype;
    return out;
}

}  // namespace hfx
