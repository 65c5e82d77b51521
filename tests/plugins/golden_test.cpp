// Every golden fixture case whose model type has a plugin: export it, run the
// written file in our runtime and in ONNX Runtime on the fixture inputs, and
// compare with the outputs Hugging Face transformers computed.
// One ctest entry per architecture (label arch-<arch>), see CMakeLists.txt.
#include <gtest/gtest.h>

#include "support/golden_check.h"

namespace hfx::test {
namespace {

class Golden : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(Golden, MatchesTransformersInBothRuntimes) { check_golden_case(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Fixtures, Golden, ::testing::ValuesIn(golden_cases()), golden_case_name);

}  // namespace
}  // namespace hfx::test
