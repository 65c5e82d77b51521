// Opset lowering: plugins build one canonical form (LayerNormalization,
// axes as attributes); lower() rewrites it for the target opset:
//  - LayerNormalization below 17 becomes ReduceMean/Sub/Pow/Sqrt/Div/Mul/Add;
//  - from 13 on, the axes of Squeeze/Unsqueeze/ReduceSum and the sizes of
//    Split move from attributes to int64 initializer inputs.
#pragma once
#include "core/ir.h"

namespace hfx {

inline constexpr int64_t kMinOpset = 11;
inline constexpr int64_t kMaxOpset = 17;

// Returns the model for `opset` (throws "option '--opset': ..." outside 11..17).
Model lower(const Model& model, int64_t opset);

}  // namespace hfx
