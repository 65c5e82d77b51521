// libhfx_torchscript.so: the only code that includes libtorch. It turns the
// translator's source and the weights into a torch::jit::Module (a submodule
// per Hugging Face name segment, so state_dict() keys are the checkpoint's),
// saves it, and loads and runs saved modules for validation and tests.
#include <ATen/Parallel.h>
#include <sys/mman.h>
#include <torch/csrc/jit/serialization/export.h>
#include <torch/script.h>
#include <torch/version.h>
#include <unistd.h>

#include <cstdio>

#include <map>
#include <string>
#include <vector>

#include "torchscript/backend_abi.h"

namespace {

thread_local std::string last_error;

// libtorch messages carry a backtrace and, for TorchScript, the failing source
// line; the user gets the cause on one line.
const char* error_of(const std::exception& e) {
    const auto* c10_error = dynamic_cast<const c10::Error*>(&e);
    std::string text = c10_error ? c10_error->what_without_backtrace() : e.what();
    size_t at = text.rfind("RuntimeError: ");
    if (at != std::string::npos) text = text.substr(at + 14);
    // The first non-empty line says what went wrong; what follows quotes the source.
    std::string line;
    size_t start = 0;
    while (line.empty() && start < text.size()) {
        size_t nl = text.find('\n', start);
        line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
        while (!line.empty() && (line.back() == ' ' || line.back() == ':')) line.pop_back();
        start = nl == std::string::npos ? text.size() : nl + 1;
    }
    last_error = "libtorch: " + line;
    if (std::getenv("HFEXPORT_TORCHSCRIPT_DEBUG")) fprintf(stderr, "%s\n", text.c_str());
    return last_error.c_str();
}

at::ScalarType scalar_type(int32_t onnx_type) {
    switch (onnx_type) {
        case 1:
            return at::kFloat;
        case 6:
            return at::kInt;
        case 7:
            return at::kLong;
        case 9:
            return at::kBool;
        case 11:
            return at::kDouble;
        default:
            throw std::runtime_error("tensor data type " + std::to_string(onnx_type) + " is not supported");
    }
}

int32_t onnx_type(at::ScalarType t) {
    switch (t) {
        case at::kFloat:
            return 1;
        case at::kInt:
            return 6;
        case at::kLong:
            return 7;
        case at::kBool:
            return 9;
        case at::kDouble:
            return 11;
        default:
            throw std::runtime_error(std::string("output of type ") + c10::toString(t) + " is not supported");
    }
}

// A view of the caller's memory (the mapped checkpoint): saving reads it once, nothing is copied.
at::Tensor borrow(const hfx_ts_tensor& t) {
    std::vector<int64_t> shape(t.shape, t.shape + t.rank);
    return torch::from_blob(const_cast<void*>(t.data), shape, at::TensorOptions().dtype(scalar_type(t.dtype)));
}

// The checkpoint's pages a module borrows are dropped from memory as soon as
// they are written (as the ONNX writer does), so an export holds libtorch and
// about one tensor, not the whole checkpoint, however large it is.
class MappedRanges {
public:
    void add(const void* data, size_t bytes) {
        auto begin = reinterpret_cast<uintptr_t>(data);
        ranges_.emplace_back(begin, begin + bytes);
    }
    void release_if_mapped(const void* data, size_t bytes) const {
        auto begin = reinterpret_cast<uintptr_t>(data), end = begin + bytes;
        for (const auto& [b, e] : ranges_)
            if (begin >= b && end <= e) {
                static const uintptr_t page = uintptr_t(sysconf(_SC_PAGESIZE));
                uintptr_t first = (begin + page - 1) / page * page, last = end / page * page;
                if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
                return;
            }
    }

private:
    std::vector<std::pair<uintptr_t, uintptr_t>> ranges_;
};

struct Tree {
    std::map<std::string, Tree> children;
    std::vector<std::pair<std::string, at::Tensor>> attributes;
};

std::string class_suffix(const std::string& path) {
    std::string s = path.empty() ? "Model" : path;
    for (char& c : s)
        if (!isalnum(static_cast<unsigned char>(c))) c = '_';
    return s;
}

torch::jit::Module build(const Tree& tree, const std::string& path,
                         const std::shared_ptr<torch::jit::CompilationUnit>& cu) {
    torch::jit::Module m(c10::QualifiedName("__torch__.hfexport." + class_suffix(path)), cu, true);
    m.register_attribute("training", c10::BoolType::get(), false);
    for (const auto& [name, child] : tree.children)
        m.register_module(name, build(child, path.empty() ? name : path + "." + name, cu));
    for (const auto& [name, tensor] : tree.attributes) m.register_parameter(name, tensor, !tensor.is_floating_point());
    return m;
}

const char* save(const char* source, const hfx_ts_attribute* attributes, size_t count, const char* extra_name,
                 const char* extra_content, const char* path) {
    try {
        Tree root;
        MappedRanges mapped;
        for (size_t k = 0; k < count; ++k) {
            const hfx_ts_attribute& a = attributes[k];
            Tree* node = &root;
            for (size_t s = 0; s + 1 < a.path_len; ++s) node = &node->children[a.path[s]];
            at::Tensor t = borrow(a.value);
            if (a.file_backed) mapped.add(a.value.data, t.nbytes());
            node->attributes.emplace_back(a.path[a.path_len - 1], t);
        }
        auto cu = std::make_shared<torch::jit::CompilationUnit>();
        torch::jit::Module module = build(root, "", cu);
        module.define(source);

        // Records are stored uncompressed, so a tensor's bytes reach the writer as one block
        // straight from its memory.
        std::unique_ptr<FILE, int (*)(FILE*)> file(fopen(path, "wb"), fclose);
        if (!file) throw std::runtime_error(std::string("cannot write ") + path);
        bool ok = true;
        auto write = [&](const void* data, size_t bytes) -> size_t {
            size_t written = fwrite(data, 1, bytes, file.get());
            ok = ok && written == bytes;
            mapped.release_if_mapped(data, bytes);
            return written;
        };
        torch::jit::ExportModule(module, write, {{extra_name, extra_content}});
        if (!ok || fclose(file.release()) != 0) throw std::runtime_error(std::string("cannot write ") + path);
        return nullptr;
    } catch (const std::exception& e) {
        return error_of(e);
    }
}

struct Loaded {
    torch::jit::Module module;
    std::string extra;
};

const char* load(const char* path, const char* extra_name, void** handle, const char** extra) {
    try {
        torch::jit::ExtraFilesMap files{{extra_name, ""}};
        auto loaded = std::make_unique<Loaded>();
        loaded->module = torch::jit::load(path, c10::nullopt, files);
        loaded->module.eval();
        loaded->extra = files[extra_name];
        *extra = loaded->extra.c_str();
        *handle = loaded.release();
        return nullptr;
    } catch (const std::exception& e) {
        return error_of(e);
    }
}

const char* run(void* handle, const hfx_ts_tensor* inputs, size_t count, int threads, void* context,
                hfx_ts_output_fn emit) {
    try {
        c10::InferenceMode inference;
        if (threads > 0) at::set_num_threads(threads);
        std::vector<c10::IValue> args;
        for (size_t k = 0; k < count; ++k) args.emplace_back(borrow(inputs[k]));
        c10::IValue out = static_cast<Loaded*>(handle)->module.forward(args);
        std::vector<c10::IValue> items =
            out.isTuple() ? out.toTupleRef().elements().vec() : std::vector<c10::IValue>{out};
        for (size_t k = 0; k < items.size(); ++k) {
            at::Tensor t = items[k].toTensor().contiguous();
            std::vector<int64_t> shape = t.sizes().vec();
            hfx_ts_tensor view{onnx_type(t.scalar_type()), int32_t(shape.size()), shape.data(), t.data_ptr()};
            emit(context, k, &view);
        }
        return nullptr;
    } catch (const std::exception& e) {
        return error_of(e);
    }
}

void release(void* handle) { delete static_cast<Loaded*>(handle); }

const hfx_ts_backend backend = {HFX_TS_BACKEND_VERSION, TORCH_VERSION, save, load, run, release};

}  // namespace

extern "C" __attribute__((visibility("default"))) const hfx_ts_backend* hfx_torchscript_backend(void) {
    return &backend;
}
