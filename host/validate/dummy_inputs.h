// generate_dummy_inputs: values for a model's inputs from the recipes its
// OnnxConfig declared (ids, masks with right padding, positions, noise), at
// sizes named by the symbolic axes ("batch", "sequence", "past_sequence", ...).
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "core/ir.h"
#include "onnx/dims.h"

namespace hfx {

// The sizes validation uses: deliberately unlike any used while building.
DimBindings validation_dims();
// Other sizes again, with empty pasts: a second point that proves nothing is fixed.
DimBindings second_validation_dims();

// HFX_DUMMY_IDS_ENDING: the last unpadded position of every row (per `mask`,
// same shape as `ids`; null = no padding) becomes spec.end, and spec.end
// appears nowhere else (as HF's BART-family classification requires: one eos
// per row, closing its text).
void end_rows_with(Tensor& ids, const Tensor* mask, const DummySpec& spec);

std::map<std::string, Tensor> make_dummy_inputs(const Model& model, const DimBindings& dims, uint64_t seed = 42);

}  // namespace hfx
