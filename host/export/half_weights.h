// Half-precision checkpoints stay half precision in the file: plugins compute
// in float32 and see every floating weight as float32, so instead of widening
// the bytes on the way to disk (a file twice the checkpoint), each float16 /
// bfloat16 initializer is written in its own type and read through one Cast to
// float32 placed before the first node. The graph computes exactly what it did
// with widened weights (the widening is exact); a tied weight is still one
// initializer with one Cast.
#pragma once
#include "core/ir.h"

namespace hfx {

// The type `t` is stored as in an ONNX file of opset `opset`: its own, except
// float64 (written as float32, which every kernel reads) and bfloat16 below
// opset 13, where Cast does not take bfloat16.
DType written_dtype(DType t, int64_t opset);

// Reroutes every reader of a float initializer whose written_dtype is not
// float32 through a Cast to float32 (named "<weight>/Cast", output
// "<weight>/Cast_output_0"). Run on the lowered model, before checking and writing.
void keep_half_weights(Model& model);

}  // namespace hfx
