// Helpers for tests that check exports against the golden fixtures.
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace hfx::test {

struct GoldenCase {
    std::string arch, name, model_type, task, path;  // path: absolute case folder
    std::vector<std::string> inputs, outputs;        // names from golden.json
};

// Every case of tests/fixtures/index.json.
std::vector<GoldenCase> golden_cases();

// max |a - b| over all elements (shapes must match; returns +inf otherwise).
double max_abs_diff(const Tensor& a, const Tensor& b);

// |a - b| <= atol + rtol * |b| everywhere.
bool all_close(const Tensor& a, const Tensor& b, double atol, double rtol);

// A fresh temporary folder, removed by the destructor.
struct TempDir {
    std::string path;
    TempDir();
    ~TempDir();
};

}  // namespace hfx::test
