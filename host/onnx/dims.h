// Sizes for a model's symbolic dimensions ("batch", "sequence", "past_sequence + sequence"):
// what the runtime's generators, the validator and `run --random` bind them to.
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "core/ir.h"

namespace hfx {

using DimBindings = std::map<std::string, int64_t>;

// Resolves "past_sequence + sequence", "batch*4" and the like; unknown names -> 2.
int64_t resolve_dim(const Dim& d, const DimBindings& dims);

}  // namespace hfx
