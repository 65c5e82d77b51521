// Reading a single serialized onnx TensorProto (the .pb files of ONNX's
// backend test data) into an owned Tensor.
#pragma once
#include <string>
#include <vector>

#include "core/tensor.h"

namespace hfx {

// Throws hfx::Error "tensor file '<path>': <what is wrong>".
Tensor load_tensor_pb(const std::string& path);
// A serialized SequenceProto of tensors; *elem_type gets its element type.
std::vector<Tensor> load_sequence_pb(const std::string& path, DType* elem_type);

}  // namespace hfx
