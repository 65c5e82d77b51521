// Config and shape variants of the golden fixtures (tests/fixtures-variants, made
// with the oracle by make_variant.sh): each exported and run in our runtime and in
// ONNX Runtime, compared with transformers at the golden tolerance. One ctest entry
// per variant (labels variants, arch-<arch>), see CMakeLists.txt.
#include <gtest/gtest.h>

#include "support/golden_check.h"

namespace hfx::test {
namespace {

class GoldenVariant : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenVariant, MatchesTransformersInBothRuntimes) { check_golden_case(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Variants, GoldenVariant, ::testing::ValuesIn(variant_cases()), golden_case_name);

}  // namespace
}  // namespace hfx::test
