// Fusion passes: graph rewrites over a plan, one per file, each replacing a run of
// steps by one fused step whose kernel is in the kernel table (domain kFusedDomain).
// fuse_all runs them in this order; each is tested alone (tests/runtime/fuse_test.cpp).
#pragma once
#include "runtime/plan.h"

namespace hfx::rt {

// MatMul(x, Transpose(W)) or MatMul(x, W), W a 2-D float constant -> Linear (reads W as
// stored; the weights are never transposed into a copy).
void fuse_linear(Plan& plan);
// Linear + Add(its output, 1-D float constant of size n) -> Linear with a bias, when the
// Add is the only reader of the product and the product is no graph output.
void fuse_linear_bias(Plan& plan);
// The opset < 17 lowering of LayerNormalization over the last axis -> LayerNorm.
void fuse_layer_norm(Plan& plan);
// 0.5 x (1 + erf(x / sqrt(2))) -> Gelu.
void fuse_gelu(Plan& plan);

void fuse_all(Plan& plan);

}  // namespace hfx::rt
