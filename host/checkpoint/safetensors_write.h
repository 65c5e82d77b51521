// Writing and reading whole .safetensors files of tensors, for golden files
// and `hfexport run --inputs/--outputs`. Reading maps the file: the returned
// tensors are views that keep the mapping alive.
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace hfx {

// Tensors are written in the given order. The file appears atomically: it is
// written under a temporary name next to `path` and renamed at the end.
void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

std::map<std::string, Tensor> read_safetensors(const std::string& path);

}  // namespace hfx
