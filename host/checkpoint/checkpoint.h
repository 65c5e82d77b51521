// Checkpoint: a Hugging Face checkpoint folder opened for reading.
// config.json is parsed; weights stay in the files, memory-mapped, and every
// tensor is a view into the mapping (nothing copies the model into RAM).
// Supported: model.safetensors, sharded model-0000k-of-0000n.safetensors with
// model.safetensors.index.json, and legacy pytorch_model.bin (a zip holding a
// pickle, read by a restricted unpickler that only rebuilds tensors).
#pragma once
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace hfx {

struct WeightRef {
    std::string name;
    DType dtype = DType::undefined;
    Shape shape;
    const void* data = nullptr;  // inside a mapping owned by the Checkpoint
    size_t nbytes = 0;
    std::string file;  // the file it lives in (for messages)
};

class MappedFile;  // read-only mmap of one file

class Checkpoint {
public:
    // Opens `dir` (or a config.json / weights file inside it). Throws hfx::Error
    // with a one-line message naming the file and tensor on any malformed input.
    static Checkpoint open(const std::string& dir);
    // The weights files open() looks for, in its order of preference (the hub download fetches
    // the first the repo has).
    static const std::vector<std::string>& weight_file_names();

    const nlohmann::json& config() const { return config_; }
    const std::string& dir() const { return dir_; }
    std::string config_path() const { return dir_ + "/config.json"; }

    bool has(const std::string& name) const { return weights_.count(name) != 0; }
    const WeightRef* find(const std::string& name) const;
    const WeightRef& at(const std::string& name) const;  // throws "tensor 'x': not found in <files>"
    Tensor tensor(const std::string& name) const;        // zero-copy view, keeps the mapping alive
    std::vector<std::string> names() const;              // sorted
    int64_t num_parameters() const;
    std::vector<std::string> weight_files() const;  // files the weights came from

private:
    std::string dir_;
    std::string weights_path_;  // model.safetensors, the index or the .bin (for messages)
    nlohmann::json config_;
    std::map<std::string, WeightRef> weights_;
    std::vector<std::shared_ptr<MappedFile>> files_;
    std::map<std::string, std::shared_ptr<MappedFile>> owner_of_;  // tensor -> mapping
    friend struct CheckpointLoader;
};

}  // namespace hfx
