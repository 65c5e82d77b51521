// Reading one .safetensors file: an 8-byte little-endian header length N,
// N bytes of JSON {name: {dtype, shape, data_offsets}, "__metadata__": {..}},
// then the data area. Every field is checked before any pointer is formed,
// so a malformed or hostile file gives a one-line error, never a crash.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "checkpoint/checkpoint.h"
#include "core/mapped_file.h"

namespace hfx {

struct SafetensorsFile {
    std::shared_ptr<MappedFile> file;
    std::vector<WeightRef> tensors;  // in data order
    std::map<std::string, std::string> metadata;
};

SafetensorsFile open_safetensors(const std::string& path);

// "F32" <-> DType; undefined / nullptr when safetensors has no such dtype.
DType safetensors_dtype(const std::string& name);
const char* safetensors_dtype_name(DType dtype);

}  // namespace hfx
