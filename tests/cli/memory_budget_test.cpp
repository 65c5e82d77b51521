// Validation that cannot fit is refused before the export starts, in one line
// that offers --no-validate (host/validate/memory_budget.h), and nothing is written.
#include <gtest/gtest.h>

#include <filesystem>

#include "checkpoint/checkpoint.h"
#include "checkpoint/safetensors_write.h"
#include "support/cli_run.h"
#include "support/golden.h"
#include "validate/memory_budget.h"

namespace fs = std::filesystem;

namespace hfx::test {
namespace {

const std::string kDefault = std::string(HFX_SOURCE_DIR) + "/share/default-checkpoint";

TEST(MemoryBudget, ValidationThatCannotFitIsRefusedBeforeExport) {
    TempDir tmp;
    std::string out = tmp.path + "/out";
    CliResult r = run_cli("export -m " + kDefault + " " + out + " --no-ort");
    ASSERT_EQ(r.code, 0) << r.err;
    fs::remove_all(out);

    // The same export with less memory than validation needs.
    std::string env = "HFEXPORT_MEMORY_LIMIT=1000000 ";
    r = run_cli("export -m " + kDefault + " " + out, env);
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("validation needs about"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--no-validate"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.out.find("Checking ONNX model"), std::string::npos) << "validation started: " << r.out;
    EXPECT_FALSE(fs::exists(out)) << "nothing is written when validation is refused";

    r = run_cli("export -m " + kDefault + " " + out + " --no-validate", env);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(fs::exists(out + "/model.onnx"));
}

TEST(MemoryBudget, MalformedLimitIsNamed) {
    TempDir tmp;
    CliResult r = run_cli("export -m " + kDefault + " " + tmp.path + "/out", "HFEXPORT_MEMORY_LIMIT=lots ");
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("environment 'HFEXPORT_MEMORY_LIMIT': 'lots' is not a number of bytes"), std::string::npos)
        << r.err;
}

// Half-precision weights count twice their bytes as float32 copies; float32 weights none.
TEST(MemoryBudget, FootprintCountsFloat32CopiesOfHalfWeights) {
    Checkpoint f32 = Checkpoint::open(kDefault);
    ValidationFootprint a = validation_footprint(f32);
    uint64_t stored = 0;
    for (const std::string& n : f32.names()) stored += f32.at(n).nbytes;
    EXPECT_EQ(a.widened, 0u);
    EXPECT_GE(a.mapped, 2 * stored);

    TempDir tmp;  // the same checkpoint in float16
    fs::copy_file(kDefault + "/config.json", tmp.path + "/config.json");
    std::vector<std::pair<std::string, Tensor>> half;
    uint64_t floats = 0;
    for (const std::string& n : f32.names()) {
        Tensor t = f32.tensor(n);
        if (t.dtype == DType::f32) {
            Tensor h = Tensor::empty(DType::f16, t.shape);
            for (int64_t k = 0; k < t.numel(); ++k) h.ptr<uint16_t>()[k] = float_to_half(t.ptr<float>()[k]);
            floats += uint64_t(t.numel());
            t = h;
        }
        half.emplace_back(n, t);
    }
    write_safetensors(tmp.path + "/model.safetensors", half);
    ValidationFootprint b = validation_footprint(Checkpoint::open(tmp.path));
    EXPECT_EQ(b.widened, 4 * floats);
    EXPECT_GT(b.private_, b.widened);
}

}  // namespace
}  // namespace hfx::test
