#include "torchscript/torchscript.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>

#include "core/error.h"
#include "core/staged_files.h"
#include "torchscript/backend_abi.h"
#include "torchscript/emit.h"

namespace hfx {
namespace {

namespace fs = std::filesystem;

struct BackendState {
    const hfx_ts_backend* api = nullptr;
    std::string why;  // set when api is null
};

// HFEXPORT_TORCHSCRIPT_BACKEND when set (empty: none), else installed beside
// the executable (prefix/bin -> prefix/lib/hfexport/), else the build tree's.
std::vector<std::string> backend_candidates() {
    std::vector<std::string> paths;
    if (const char* env = std::getenv("HFEXPORT_TORCHSCRIPT_BACKEND")) {
        if (*env) paths.push_back(env);
        return paths;
    }
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) paths.push_back((exe.parent_path().parent_path() / HFX_TS_BACKEND_REL_PATH).string());
    paths.push_back(HFX_TS_BACKEND_BUILD_PATH);
    paths.push_back(HFX_TS_BACKEND_INSTALL_PATH);
    return paths;
}

const BackendState& backend() {
    static BackendState state = [] {
        BackendState s;
        for (const std::string& path : backend_candidates()) {
            std::error_code ec;
            if (!fs::exists(path, ec)) continue;
            void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
            if (!lib) {
                const char* err = dlerror();
                s.why = "could not load the TorchScript backend " + path + ": " + (err ? err : "unknown error");
                return s;
            }
            auto entry = reinterpret_cast<hfx_ts_backend_entry>(dlsym(lib, HFX_TS_BACKEND_ENTRY));
            const hfx_ts_backend* api = entry ? entry() : nullptr;
            if (!api || api->version != HFX_TS_BACKEND_VERSION) {
                s.why = "the TorchScript backend " + path + " does not match this hfexport (rebuild both)";
                return s;
            }
            s.api = api;
            return s;
        }
        s.why =
            "TorchScript needs libtorch, and this hfexport was built without it: install Debian's libtorch-dev "
            "(apt install libtorch-dev) and rebuild (cmake -DHFX_TORCHSCRIPT=ON)";
        return s;
    }();
    return state;
}

const hfx_ts_backend& api() {
    const BackendState& s = backend();
    if (!s.api) fail(s.why);
    return *s.api;
}

// Tensors as the backend takes them; half and double weights become float32
// copies (the ONNX writer does the same), everything else is borrowed.
struct Borrowed {
    std::vector<hfx_ts_tensor> views;
    std::deque<Tensor> converted;  // stable addresses

    void add(const Tensor& t, const std::string& what) {
        const Tensor* src = &t;
        if (t.dtype == DType::f16 || t.dtype == DType::bf16 || t.dtype == DType::f64) {
            converted.push_back(t.to_f32());
            src = &converted.back();
        } else if (t.dtype != DType::f32 && t.dtype != DType::i64 && t.dtype != DType::i32 &&
                   t.dtype != DType::boolean) {
            fail(what, ": dtype ", dtype_name(t.dtype), " is not supported in TorchScript export");
        }
        views.push_back({int32_t(src->dtype), int32_t(src->shape.size()), src->shape.data(), src->data});
    }
};

}  // namespace

bool torchscript_available(std::string* why) {
    const BackendState& s = backend();
    if (!s.api && why) *why = s.why;
    return s.api != nullptr;
}

std::string torchscript_torch_version() { return api().torch_version; }

void write_torchscript(const Model& model, const std::string& path, nlohmann::json metadata) {
    const hfx_ts_backend& ts = api();
    TorchScriptProgram program = emit_torchscript(model);

    std::vector<std::vector<const char*>> paths;
    std::vector<hfx_ts_attribute> attributes;
    Borrowed tensors;
    paths.reserve(program.attributes.size());
    for (const TorchScriptAttribute& a : program.attributes) {
        const Tensor& t = model.initializers.at(a.initializer);
        tensors.add(t, "tensor '" + a.initializer + "'");
        std::vector<const char*> segments;
        for (const std::string& s : a.path) segments.push_back(s.c_str());
        paths.push_back(std::move(segments));
    }
    for (size_t k = 0; k < paths.size(); ++k) {
        const Tensor& t = model.initializers.at(program.attributes[k].initializer);
        bool mapped = t.file_backed && tensors.views[k].data == t.data;  // not a float32 conversion
        attributes.push_back({paths[k].data(), paths[k].size(), tensors.views[k], mapped ? 1 : 0});
    }

    metadata["inputs"] = program.input_names;
    metadata["arguments"] = program.argument_names;
    metadata["outputs"] = program.output_names;
    metadata["producer"] = std::string("hfexport ") + HFX_VERSION;
    metadata["torch_version"] = ts.torch_version;
    StagedFiles staged;  // joins the export's group when one is open
    std::string temp = staged.add(path);
    const char* err = ts.save(program.source.c_str(), attributes.data(), attributes.size(), kTorchScriptMetadata,
                              metadata.dump().c_str(), temp.c_str());
    if (err) fail("TorchScript export to '", path, "': ", err);
    staged.commit();
}

TorchScriptModule::TorchScriptModule(const std::string& path) : path_(path) {
    const hfx_ts_backend& ts = api();
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) fail("TorchScript file '", path, "': not found");
    const char* extra = nullptr;
    if (const char* err = ts.load(path.c_str(), kTorchScriptMetadata, &handle_, &extra))
        fail("TorchScript file '", path, "': ", err);
    metadata_ = nlohmann::json::parse(extra ? extra : "", nullptr, false);
    if (!metadata_.is_object() || !metadata_.contains("inputs") || !metadata_.contains("outputs")) {
        ts.release(handle_);
        handle_ = nullptr;
        fail("TorchScript file '", path, "': no ", kTorchScriptMetadata, " (not written by hfexport)");
    }
    inputs_ = metadata_["inputs"].get<std::vector<std::string>>();
    outputs_ = metadata_["outputs"].get<std::vector<std::string>>();
}

TorchScriptModule::~TorchScriptModule() {
    if (handle_) api().release(handle_);
}

std::map<std::string, Tensor> TorchScriptModule::run(const std::map<std::string, Tensor>& feeds, int threads) {
    Borrowed args;
    for (const std::string& name : inputs_) {
        auto it = feeds.find(name);
        if (it == feeds.end()) fail("TorchScript file '", path_, "': input '", name, "' is missing");
        args.add(it->second, "input '" + name + "'");
    }
    struct Sink {
        std::map<std::string, Tensor> out;
        const std::vector<std::string>* names;
    } sink{{}, &outputs_};
    auto emit = [](void* context, size_t k, const hfx_ts_tensor* t) {
        auto* s = static_cast<Sink*>(context);
        Shape shape(t->shape, t->shape + t->rank);
        Tensor copy = Tensor::uninitialized(dtype_from_int(t->dtype), shape);
        if (copy.nbytes()) std::memcpy(copy.data, t->data, copy.nbytes());
        std::string name = k < s->names->size() ? (*s->names)[k] : "output_" + std::to_string(k);
        s->out[name] = std::move(copy);
    };
    if (const char* err = api().run(handle_, args.views.data(), args.views.size(), threads, &sink, emit))
        fail("TorchScript file '", path_, "': ", err);
    return std::move(sink.out);
}

}  // namespace hfx
