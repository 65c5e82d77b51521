#include "validate/file_check.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <filesystem>
#include <limits>
#include <set>

#include "core/error.h"
#include "core/mapped_file.h"
#include "onnx/wire.h"

namespace onnx::checker {
// What check_model(path) runs after loading the file, with the model's folder in
// `ctx` so external data locations resolve there. Exported by libonnx, but not
// declared in its checker.h (1.12); the path overload would read the whole file
// into a string and parse a second copy of every inline weight.
void check_model(const ModelProto& model, CheckerContext& ctx);
}  // namespace onnx::checker

namespace hfx {
namespace {

// Inline tensors up to this size get their bytes in the checked copy (shape
// inference reads small constants); larger ones are declared without them.
constexpr size_t kCheckedInlineBytes = 64 << 10;

std::string first_line(std::string msg) {
    while (!msg.empty() && (msg.front() == '\n' || msg.front() == ' ')) msg.erase(msg.begin());
    if (auto nl = msg.find('\n'); nl != std::string::npos) msg = msg.substr(0, nl);
    return msg;
}

}  // namespace

void check_onnx_file(const std::string& path) {
    auto bad = [&](const std::string& what) { fail("onnx '", path, "': ", what); };
    std::shared_ptr<MappedFile> file = MappedFile::open(path, "onnx");
    if (file->size() > size_t(std::numeric_limits<int>::max()))
        bad("larger than 2 GiB; store weights as external data");
    std::vector<ByteSpan> spans;
    std::vector<unsigned char> stripped;
    onnx::ModelProto mp;
    if (!find_initializer_raw_data(file->data(), file->size(), spans) ||
        !strip_initializer_raw_data(file->data(), file->size(), stripped) ||
        !mp.ParseFromArray(stripped.data(), int(stripped.size())))
        bad("not a valid ONNX model (truncated or corrupt)");
    std::vector<unsigned char>().swap(stripped);
    onnx::GraphProto* g = mp.mutable_graph();
    if (size_t(g->initializer_size()) != spans.size()) bad("initializer count mismatch while scanning");

    std::set<std::string> inputs;
    for (const auto& v : g->input()) inputs.insert(v.name());
    onnx::GraphProto kept_graph;  // initializers that stay initializers
    for (int i = 0; i < g->initializer_size(); ++i) {
        onnx::TensorProto& t = *g->mutable_initializer(i);
        const ByteSpan& span = spans[size_t(i)];
        if (!span.present || span.size <= kCheckedInlineBytes) {
            if (span.present) t.set_raw_data(file->data() + span.offset, span.size);
            *kept_graph.add_initializer() = std::move(t);
            continue;
        }
        if (inputs.count(t.name())) continue;  // IR < 4 files list initializers as inputs too
        auto* in = g->add_input();
        in->set_name(t.name());
        auto* tt = in->mutable_type()->mutable_tensor_type();
        tt->set_elem_type(t.data_type());
        auto* shape = tt->mutable_shape();
        for (int64_t d : t.dims()) shape->add_dim()->set_dim_value(d);
    }
    g->mutable_initializer()->Swap(kept_graph.mutable_initializer());

    try {
        onnx::checker::CheckerContext ctx;
        std::string dir = std::filesystem::path(path).parent_path().string();
        ctx.set_model_dir(dir.empty() ? "." : dir);
        onnx::checker::check_model(mp, ctx);
        onnx::ShapeInferenceOptions options(/*check_type=*/true, /*error_mode=*/1, /*enable_data_propagation=*/false);
        onnx::shape_inference::InferShapes(mp, onnx::OpSchemaRegistry::Instance(), options);
    } catch (const std::exception& e) {
        bad("ONNX checker: " + first_line(e.what()));
    }
}

}  // namespace hfx
