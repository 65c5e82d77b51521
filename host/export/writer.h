// Writing a Model as an ONNX file. Weights stream from the memory-mapped
// checkpoint to disk (converted to float32 on the way when stored as
// f16/bf16): the protobuf skeleton is serialised without tensor data, and the
// initializers follow as a second occurrence of the `graph` field, which
// protobuf merges into the first. Everything is written under temporary names
// and renamed at the end, so a failure leaves no partial file.
#pragma once
#include <string>

#include "core/ir.h"

namespace onnx {
class ModelProto;
}

namespace hfx {

struct WriteOptions {
    bool external_data = false;  // weights in "<model>.onnx_data" next to the model
};

// The ModelProto of `model` with initializers declared (name, type, dims) but
// without their data: what the checker and shape inference look at.
onnx::ModelProto to_proto_skeleton(const Model& model, bool external_data, const std::string& data_file);

// Runs onnx::checker and strict shape inference on the skeleton; throws
// "onnx checker: <message>" on failure.
void check_model(const Model& model);

// Writes `model` to `path` (atomic). Returns the files written.
std::vector<std::string> write_onnx(const Model& model, const std::string& path, const WriteOptions& options = {});

}  // namespace hfx
