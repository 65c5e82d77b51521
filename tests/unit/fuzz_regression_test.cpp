// Inputs the fuzz targets (fuzz/) found to crash or to escape as something
// other than a one-line hfx::Error, kept as files (tests/unit/fuzz_crashes/<target>/)
// and replayed here through the same entry points, by the normal g++ build.
#include "checkpoint/checkpoint.h"
#include "checkpoint/safetensors.h"
#include "test_util.h"

namespace hfx::test {
namespace {

const std::string kCrashes = std::string(HFX_SOURCE_DIR) + "/tests/unit/fuzz_crashes";

std::vector<std::string> crash_files(const std::string& target) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(kCrashes + "/" + target)) out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
}

class FuzzRegression : public TempDir {};

// nlohmann throws out_of_range (not parse_error) for 1e612: it escaped as
// "[json.exception.out_of_range.406] number overflow ...", naming no file.
TEST_F(FuzzRegression, ConfigJson) {
    auto files = crash_files("config");
    ASSERT_FALSE(files.empty());
    for (const auto& f : files) {
        write_file(path("config.json"), read_file(f));
        write_file(path("model.safetensors"), safetensors_bytes("{}", 0));
        std::string e = error_of([&] { Checkpoint::open(dir); });
        EXPECT_EQ(e.rfind("config '" + path("config.json") + "': ", 0), 0u) << f << ": " << e;
    }
}

TEST_F(FuzzRegression, ShardedIndex) {
    auto files = crash_files("index");
    ASSERT_FALSE(files.empty());
    for (const auto& f : files) {
        write_file(path("config.json"), R"({"model_type": "bert"})");
        write_file(path("model.safetensors.index.json"), read_file(f));
        std::string e = error_of([&] { Checkpoint::open(dir); });
        EXPECT_EQ(e.rfind("index '" + path("model.safetensors.index.json") + "': ", 0), 0u) << f << ": " << e;
    }
}

TEST_F(FuzzRegression, SafetensorsHeaderNumberOutOfRange) {
    write_file(path("x.safetensors"),
               safetensors_bytes(R"({"w": {"dtype": "F32", "shape": [1e999], "data_offsets": [0, 4]}})", 4));
    EXPECT_EQ(error_of([&] { open_safetensors(path("x.safetensors")); }),
              "safetensors '" + path("x.safetensors") + "': header holds a number out of range (over 1.8e308)");
}

}  // namespace
}  // namespace hfx::test
