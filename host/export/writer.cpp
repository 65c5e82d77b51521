#include "export/writer.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/mapped_file.h"
#include "core/staged_files.h"

namespace fs = std::filesystem;

namespace hfx {
namespace {

constexpr size_t kSmallTensorBytes = 4096;  // shape/axes constants: kept inline in the checked skeleton

// The bytes of `t` written as `stored` (its own type, or float32: export/half_weights.h).
size_t written_bytes(const Tensor& t, DType stored) { return size_t(t.numel()) * dtype_size(stored); }

// Once a weight is on disk its pages of the checkpoint mapping are not needed:
// dropping them keeps the resident set small (core/mapped_file.h: release_pages).

// Streams a tensor's bytes as they go to disk: raw, or converted to float32 in chunks.
void stream_tensor(std::ostream& out, const Tensor& t, DType stored) {
    if (stored == t.dtype) {
        out.write(static_cast<const char*>(t.data), std::streamsize(t.nbytes()));
        if (t.nbytes() >= (1 << 20)) release_pages(t);
        return;
    }
    if (stored != DType::f32 || (t.dtype != DType::f16 && t.dtype != DType::bf16 && t.dtype != DType::f64))
        fail("tensor: cannot write ", dtype_name(t.dtype), " as ", dtype_name(stored));
    constexpr int64_t chunk = 1 << 16;
    std::vector<float> buf(chunk);
    for (int64_t start = 0, n = t.numel(); start < n; start += chunk) {
        int64_t m = std::min(chunk, n - start);
        for (int64_t k = 0; k < m; ++k) {
            int64_t i = start + k;
            buf[size_t(k)] = t.dtype == DType::f16    ? half_to_float(t.ptr<uint16_t>()[i])
                             : t.dtype == DType::bf16 ? bf16_to_float(t.ptr<uint16_t>()[i])
                                                      : float(t.ptr<double>()[i]);
        }
        out.write(reinterpret_cast<const char*>(buf.data()), std::streamsize(m * 4));
    }
    if (t.nbytes() >= (1 << 20)) release_pages(t);
}

std::string varint(uint64_t v) {
    std::string s;
    while (v >= 0x80) {
        s += char((v & 0x7f) | 0x80);
        v >>= 7;
    }
    s += char(v);
    return s;
}
std::string tag(int field, int wire) { return varint(uint64_t(field) << 3 | uint64_t(wire)); }

std::ofstream open_out(const std::string& path, const std::string& final_path) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) fail("output '", final_path, "': cannot write (", std::strerror(errno), ")");
    errno = 0;  // so a failed write below reports its own reason
    return out;
}

// The OS reason of the last failed write ("No space left on device").
std::string write_error(const char* otherwise = "write failed") { return errno ? std::strerror(errno) : otherwise; }

void finish(std::ofstream& out, const std::string& final_path) {
    out.flush();
    if (!out) fail("output '", final_path, "': cannot write (", write_error(), ")");
    out.close();
    if (!out) fail("output '", final_path, "': cannot write (", write_error(), ")");
}

// Where an external initializer's bytes start in the data file (to_proto_skeleton chose it).
uint64_t external_offset(const onnx::TensorProto& t) {
    for (const auto& e : t.external_data())
        if (e.key() == "offset") return std::stoull(e.value());
    return 0;
}

}  // namespace

void check_model(const Model& model) {
    // Weights become typed graph inputs of the checked copy: the checker and
    // shape inference see every name, type and shape without the bytes. Small
    // constants keep their data, since shape inference reads Reshape targets.
    onnx::ModelProto full = to_proto_skeleton(model, false, "");
    onnx::ModelProto mp = full;
    auto* g = mp.mutable_graph();
    g->clear_initializer();
    for (const auto& t : full.graph().initializer()) {
        const Tensor& v = model.initializers.at(t.name());
        if (v.nbytes() <= kSmallTensorBytes && DType(t.data_type()) == v.dtype) {
            auto* kept = g->add_initializer();
            *kept = t;
            kept->set_raw_data(v.data, v.nbytes());
            continue;
        }
        auto* in = g->add_input();
        in->set_name(t.name());
        auto* tt = in->mutable_type()->mutable_tensor_type();
        tt->set_elem_type(t.data_type());
        auto* shape = tt->mutable_shape();
        for (int64_t d : t.dims()) shape->add_dim()->set_dim_value(d);
    }
    try {
        onnx::checker::check_model(mp);
        onnx::ShapeInferenceOptions options(true, 1, false);
        onnx::shape_inference::InferShapes(mp, onnx::OpSchemaRegistry::Instance(), options);
    } catch (const std::exception& e) {
        // The graph a plugin built is not valid ONNX: the plugin's fault (or the lowering's).
        // The checker's text runs over several lines; its first line names the node.
        std::string msg = e.what();
        fail_plugin("onnx checker: ", msg.substr(0, msg.find('\n')));
    }
}

std::vector<std::string> write_onnx(const Model& model, const std::string& path, const WriteOptions& options) {
    StagedFiles temps;  // joins the export's group when one is open
    std::string data_name = fs::path(path).filename().string() + "_data";
    std::string data_path = (fs::path(path).parent_path() / data_name).string();
    onnx::ModelProto mp = to_proto_skeleton(model, options.external_data, data_name);

    // The skeleton keeps the external initializers (their data is in the data file);
    // the inline ones follow it with their bytes.
    onnx::ModelProto skeleton = mp;
    skeleton.mutable_graph()->clear_initializer();
    std::vector<std::pair<const onnx::TensorProto*, const Tensor*>> inline_tensors, external_tensors;
    for (const auto& t : mp.graph().initializer()) {
        const Tensor* v = &model.initializers.at(t.name());
        if (t.data_location() == onnx::TensorProto::EXTERNAL) {
            *skeleton.mutable_graph()->add_initializer() = t;
            external_tensors.emplace_back(&t, v);
        } else {
            inline_tensors.emplace_back(&t, v);
        }
    }

    if (!external_tensors.empty()) {
        std::string data_tmp = temps.add(data_path);
        std::ofstream data = open_out(data_tmp, data_path);
        static const char zeros[kExternalDataAlign] = {0};
        uint64_t at = 0;
        for (const auto& [proto, t] : external_tensors) {
            uint64_t offset = external_offset(*proto);
            if (offset < at || offset - at >= kExternalDataAlign)
                fail("output '", data_path, "': internal error: tensor '", proto->name(), "' misplaced");
            data.write(zeros, std::streamsize(offset - at));
            DType stored = DType(proto->data_type());
            stream_tensor(data, *t, stored);
            at = offset + written_bytes(*t, stored);
        }
        finish(data, data_path);
    }

    // Skeleton first, then the inline initializers as a second `graph` (field 7)
    // that the parser merges in.
    std::string model_tmp = temps.add(path);
    std::ofstream out = open_out(model_tmp, path);
    if (!skeleton.SerializeToOstream(&out))
        fail("output '", path, "': cannot write (", write_error("protobuf serialisation failed"), ")");
    std::vector<std::string> headers;
    uint64_t graph_len = 0;
    for (const auto& [proto, t] : inline_tensors) {
        size_t bytes = written_bytes(*t, DType(proto->data_type()));
        std::string h = proto->SerializeAsString() + tag(9, 2) + varint(bytes);  // raw_data = field 9
        uint64_t tensor_len = h.size() + bytes;
        graph_len += tag(5, 2).size() + varint(tensor_len).size() + tensor_len;  // initializer = field 5
        headers.push_back(std::move(h));
    }
    if (graph_len >= (uint64_t(2) << 30)) fail("output '", path, "': the model needs external data (over 2 GiB)");
    if (!inline_tensors.empty()) {
        out << tag(7, 2) << varint(graph_len);
        for (size_t k = 0; k < inline_tensors.size(); ++k) {
            const auto& [proto, t] = inline_tensors[k];
            DType stored = DType(proto->data_type());
            out << tag(5, 2) << varint(headers[k].size() + written_bytes(*t, stored)) << headers[k];
            stream_tensor(out, *t, stored);
        }
    }
    finish(out, path);
    temps.commit();
    std::vector<std::string> files = {path};
    if (!external_tensors.empty()) files.push_back(data_path);
    return files;
}

}  // namespace hfx
