// An .onnx file through the loader (protobuf, initializers viewed in place,
// external data), the runtime's planning (Session: fusions, kernel choice)
// and, for models without Loop, one run on small inputs: symbolic dimensions
// are 2, and a model whose fixed input sizes are larger is only planned.
//
// Memory: allocations over 64 MB fail (ASan's max_allocation_size, below),
// which the runtime turns into its "out of memory" error, so shapes that a
// graph computes (Expand, ConstantOfShape, Tile ...) cannot make a legitimate
// multi-gigabyte tensor and OOM the fuzzer; shapes that wrap or go negative
// are the loader's and the kernels' checked arithmetic to refuse.
#include "fuzz_util.h"
#include "runtime/session.h"

extern "C" const char* __asan_default_options() { return "allocator_may_return_null=1:max_allocation_size_mb=64"; }

namespace {

using hfx::DType;
using hfx::Tensor;

constexpr int64_t max_input_dim = 16;
constexpr int64_t max_input_elements = 4096;

bool has_loop(const hfx::Model& m) {
    for (const auto& n : m.nodes) {
        if (n.op == "Loop" || n.op == "Scan") return true;  // trip counts are data: a legitimate hang
        for (const auto& [name, a] : n.attrs)
            if (a.g && has_loop(*a.g)) return true;
    }
    return false;
}

// A small deterministic value per element, in range for the dtype.
bool dummy_input(const hfx::ValueInfo& in, Tensor* out) {
    if (in.sequence) return false;
    hfx::Shape shape;
    int64_t n = 1;
    for (const auto& d : in.dims) {
        int64_t size = d.size < 0 ? 2 : d.size;
        if (size > max_input_dim) return false;
        shape.push_back(size);
        n *= size;
    }
    if (n > max_input_elements) return false;
    *out = Tensor::empty(in.dtype, shape);
    for (int64_t k = 0; k < n; ++k) {
        switch (in.dtype) {
            case DType::f32:
                out->ptr<float>()[k] = float(k % 7) * 0.25f - 0.75f;
                break;
            case DType::f64:
                out->ptr<double>()[k] = double(k % 5) - 2;
                break;
            case DType::i64:
                out->ptr<int64_t>()[k] = k % 3;
                break;
            case DType::i32:
                out->ptr<int32_t>()[k] = int32_t(k % 3);
                break;
            case DType::boolean:
                out->ptr<uint8_t>()[k] = uint8_t(k % 2);
                break;
            default:
                break;  // zeros
        }
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string path = hfx::fuzz::write_file("model.onnx", data, size);
    hfx::fuzz::expect_clean([&] {
        hfx::rt::SessionOptions options;
        options.threads = 1;
        hfx::rt::Session session(path, options);
        (void)session.planned_steps();
        const hfx::Model& model = session.model();
        if (has_loop(model)) return;
        std::map<std::string, Tensor> feeds;
        for (const auto& in : model.inputs) {
            if (model.initializers.count(in.name)) continue;  // an initializer that may be overridden
            Tensor t;
            if (!dummy_input(in, &t)) return;
            feeds[in.name] = std::move(t);
        }
        std::vector<Tensor> outs = session.run({}, feeds);
        volatile float sink = 0;
        for (const auto& t : outs)
            if (t.dtype == DType::f32 && t.data)
                for (int64_t k = 0; k < t.numel(); ++k) sink = sink + t.ptr<float>()[k];
    });
    return 0;
}
