#include "checkpoint/checkpoint.h"

#include <filesystem>

#include "checkpoint/weight_set.h"
#include "core/error.h"

namespace hfx {
namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// Preference order as in transformers' from_pretrained: safetensors first,
// since it needs no unpickling.
const std::vector<std::string> weight_file_names = {
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
};

WeightSet load_weights(const std::string& path) {
    if (ends_with(path, ".index.json")) return load_sharded_weights(path);
    if (ends_with(path, ".safetensors")) return load_safetensors_weights(path);
    return load_torch_bin_weights(path);
}

bool is_weights_file_name(const std::string& name) {
    return ends_with(name, ".safetensors") || ends_with(name, ".index.json") || ends_with(name, ".bin");
}

std::string strip_trailing_slashes(std::string s) {
    while (s.size() > 1 && s.back() == '/') s.pop_back();
    return s;
}

}  // namespace

struct CheckpointLoader {
    static Checkpoint load(const std::string& given) {
        ErrorArea area(ErrorKind::checkpoint);  // read_config narrows it to config
        std::string path = strip_trailing_slashes(given);
        std::error_code ec;
        auto status = fs::status(path, ec);
        if (!fs::exists(status)) fail("checkpoint '", given, "': does not exist");

        Checkpoint ck;
        if (fs::is_directory(status)) {
            ck.dir_ = path;
        } else {
            fs::path p(path);
            ck.dir_ = p.has_parent_path() ? p.parent_path().string() : ".";
            std::string name = p.filename().string();
            if (name != "config.json") {
                if (!is_weights_file_name(name))
                    fail("checkpoint '", given,
                         "': not a folder, config.json or weights file "
                         "(.safetensors, .bin, .index.json)");
                ck.weights_path_ = path;
            }
        }
        ck.config_ = read_config(ck.config_path());

        if (ck.weights_path_.empty()) {
            for (const std::string& name : weight_file_names) {
                std::string candidate = ck.dir_ + "/" + name;
                if (fs::is_regular_file(candidate, ec)) {
                    ck.weights_path_ = candidate;
                    break;
                }
            }
        }
        if (ck.weights_path_.empty()) {
            std::string looked;
            for (const std::string& name : weight_file_names) looked += (looked.empty() ? "" : ", ") + name;
            fail("checkpoint '", ck.dir_, "': no weights found (looked for ", looked, ")");
        }

        WeightSet set = load_weights(ck.weights_path_);
        ck.files_ = std::move(set.files);
        for (auto& [name, w] : set.weights) {
            ck.owner_of_[name] = w.owner;
            ck.weights_[name] = std::move(w.ref);
        }
        return ck;
    }
};

Checkpoint Checkpoint::open(const std::string& dir) { return CheckpointLoader::load(dir); }

const std::vector<std::string>& Checkpoint::weight_file_names() { return hfx::weight_file_names; }

const WeightRef* Checkpoint::find(const std::string& name) const {
    auto it = weights_.find(name);
    return it == weights_.end() ? nullptr : &it->second;
}

const WeightRef& Checkpoint::at(const std::string& name) const {
    const WeightRef* w = find(name);
    if (!w) fail_checkpoint("tensor '", name, "': not found in ", weights_path_);
    return *w;
}

Tensor Checkpoint::tensor(const std::string& name) const {
    const WeightRef& w = at(name);
    Tensor t = Tensor::view(w.dtype, w.shape, w.data, owner_of_.at(name));
    t.file_backed = true;
    return t;
}

std::vector<std::string> Checkpoint::names() const {
    std::vector<std::string> out;
    out.reserve(weights_.size());
    for (const auto& [name, w] : weights_) out.push_back(name);  // map order is sorted
    return out;
}

int64_t Checkpoint::num_parameters() const {
    int64_t n = 0;
    for (const auto& [name, w] : weights_) n += shape_numel(w.shape);
    return n;
}

std::vector<std::string> Checkpoint::weight_files() const {
    std::vector<std::string> out;
    for (const auto& f : files_) out.push_back(f->path());
    return out;
}

}  // namespace hfx
