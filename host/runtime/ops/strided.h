// Gathers elements by an arbitrary strided view of the input (Slice, Transpose,
// Expand, Tile): out[i] = in[offset of i], computed with an odometer.
#pragma once
#include "runtime/ops/common.h"

namespace hfx::rt {

// `in_strides` maps each output dimension to an input element stride; `base` is
// the input element offset of out[0]. Contiguous inner runs are copied whole.
void strided_copy(const Tensor& in, int64_t base, const std::vector<int64_t>& in_strides, Tensor& out);

}  // namespace hfx::rt
