// Reading a single serialized onnx TensorProto (the .pb files of ONNX's
// backend test data) into an owned Tensor.
#pragma once
#include <string>

#include "core/tensor.h"

namespace hfx {

// Throws hfx::Error "tensor file '<path>': <what is wrong>".
Tensor load_tensor_pb(const std::string& path);

}  // namespace hfx
