// The written file through ONNX's own checker, as `onnx.checker.check_model(path,
// full_check=True)` runs it: the model (external data references resolved in the
// model's folder) and strict shape inference, which is also the first thing ONNX
// Runtime does when it loads a model. So a file ONNX Runtime would refuse (say, a
// Reshape target stored as external data) fails validation even where ONNX
// Runtime is not installed.
#pragma once
#include <string>

namespace hfx {

// Throws hfx::Error "onnx '<path>': ONNX checker: <first line of its message>".
// Reads the file in place: large inline weights are declared to the checker by
// type and shape only (it never needs their bytes), so no copy of the weights is made.
void check_onnx_file(const std::string& path);

}  // namespace hfx
