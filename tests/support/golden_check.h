// The golden check shared by the fixture and variant tests: export a case (and, for
// encoder-decoder models, each graph of optimum's split layout it can feed), run the
// written file in our runtime and in ONNX Runtime, compare with transformers' outputs.
#pragma once
#include "support/golden.h"

namespace hfx::test {

// Reports failures with gtest's EXPECT_*; skips (GTEST_SKIP) a case whose model type
// or task has no plugin. Prints "[golden] arch/case ... max_abs_diff_hfx=.. max_abs_diff_ort=..".
void check_golden_case(const GoldenCase& c);

}  // namespace hfx::test
