// Reading ONNX files into the shared Model. Tensor data (embedded raw_data or
// external data files) is referenced in place from read-only mappings.
#pragma once
#include <string>

#include "core/ir.h"

namespace hfx {

// Throws hfx::Error "onnx '<path>': <what is wrong>" on a missing, truncated or
// malformed file, or missing external data.
Model load_onnx(const std::string& path);

}  // namespace hfx
