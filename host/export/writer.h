// Writing a Model as an ONNX file. Weights stream from the memory-mapped
// checkpoint to disk in their own type (export/half_weights.h: written_dtype;
// float64, and bfloat16 below opset 13, are converted to float32 on the way): the protobuf skeleton is serialised without tensor data, and the
// inline initializers follow as a second occurrence of the `graph` field, which
// protobuf merges into the first. With external data, the initializers of at
// least kExternalDataMinBytes go to "<model>.onnx_data" (each at an offset that
// is a multiple of kExternalDataAlign) and the small ones stay inline, as
// onnx.save and optimum write them. Everything is written under temporary names
// and renamed at the end, so a failure leaves no partial file.
#pragma once
#include <string>

#include "core/ir.h"

namespace onnx {
class ModelProto;
}

namespace hfx {

// Smaller initializers (shape and axes constants, scalars) stay inline in the
// model file: ONNX shape inference, which ONNX Runtime runs when it loads a
// model, cannot read a Reshape target or Slice bounds from external data
// ("Cannot parse data from external tensors"). 1 KiB is onnx.save's default
// size_threshold, which optimum uses too.
inline constexpr size_t kExternalDataMinBytes = 1024;
// Offsets in the data file are multiples of the page size, so ONNX Runtime
// (and our runtime) can map each weight in place instead of reading a copy.
inline constexpr size_t kExternalDataAlign = 4096;

struct WriteOptions {
    bool external_data = false;  // weights in "<model>.onnx_data" next to the model
};

// The ModelProto of `model` with initializers declared (name, type, dims) but
// without their data: what the checker and shape inference look at. With
// `external_data`, the initializers of at least kExternalDataMinBytes are marked
// external (location `data_file`, aligned offset, length): the layout the
// writer follows.
onnx::ModelProto to_proto_skeleton(const Model& model, bool external_data, const std::string& data_file);

// Runs onnx::checker and strict shape inference on the skeleton; throws
// "onnx checker: <message>" on failure.
void check_model(const Model& model);

// Writes `model` to `path` (atomic). Returns the files written.
std::vector<std::string> write_onnx(const Model& model, const std::string& path, const WriteOptions& options = {});

}  // namespace hfx
