// WeightSet: what each weight-file reader (safetensors, sharded index,
// pytorch_model.bin) hands to Checkpoint: tensor refs plus the mappings
// they point into. Internal to host/checkpoint.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "checkpoint/checkpoint.h"
#include "core/mapped_file.h"

namespace hfx {

struct LoadedWeight {
    WeightRef ref;
    std::shared_ptr<MappedFile> owner;  // the mapping ref.data points into
};

struct WeightSet {
    std::vector<std::shared_ptr<MappedFile>> files;  // in the order they were opened
    std::map<std::string, LoadedWeight> weights;
};

// One .safetensors file (safetensors.cpp).
WeightSet load_safetensors_weights(const std::string& path);
// model.safetensors.index.json or pytorch_model.bin.index.json (sharded.cpp).
WeightSet load_sharded_weights(const std::string& index_path);
// A torch.save zip archive, e.g. pytorch_model.bin (torch_bin.cpp).
WeightSet load_torch_bin_weights(const std::string& path);
// config.json parsed and checked for model_type (config.cpp).
nlohmann::json read_config(const std::string& path);

}  // namespace hfx
