// Crafted inputs that used to be accepted or to crash the readers: a tensor
// named twice (safetensors header, sharded index, config.json), names with
// control characters in errors, and element counts / byte sizes that wrap.
#include <nlohmann/json.hpp>

#include "checkpoint/checkpoint.h"
#include "checkpoint/safetensors.h"
#include "core/checked.h"
#include "core/tensor.h"
#include "test_util.h"

namespace hfx::test {
namespace {

class BadInputTest : public TempDir {
protected:
    std::string st_error(const std::string& header, size_t data_bytes) {
        write_file(path("x.safetensors"), safetensors_bytes(header, data_bytes));
        return error_of([&] { open_safetensors(path("x.safetensors")); });
    }
};

// nlohmann keeps the last of two equal keys; the first entry's bytes were then
// never read (the word embeddings became zeros and validation still passed).
TEST_F(BadInputTest, SafetensorsTensorNamedTwice) {
    std::string h = R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},)"
                    R"( "w": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})";
    EXPECT_EQ(st_error(h, 8), "safetensors '" + path("x.safetensors") + "': tensor 'w': appears twice in the header");
}

TEST_F(BadInputTest, SafetensorsKeyTwiceInAnEntry) {
    std::string h = R"({"w": {"dtype": "F32", "dtype": "F16", "shape": [1], "data_offsets": [0, 4]}})";
    EXPECT_EQ(st_error(h, 4),
              "safetensors '" + path("x.safetensors") + "': key 'dtype' appears twice in one object of the header");
}

TEST_F(BadInputTest, ShardedIndexTensorNamedTwice) {
    std::string bert = std::string(HFX_FIXTURES_DIR) + "/bert/default";
    fs::copy_file(bert + "/config.json", path("config.json"));
    fs::copy_file(bert + "/model.safetensors", path("model-00001-of-00001.safetensors"));
    write_file(path("model.safetensors.index.json"),
               R"({"weight_map": {"pooler.dense.bias": "model-00001-of-00001.safetensors",)"
               R"( "pooler.dense.bias": "model-00001-of-00001.safetensors"}})");
    EXPECT_EQ(error_of([&] { Checkpoint::open(dir); }), "index '" + path("model.safetensors.index.json") +
                                                            "': key 'pooler.dense.bias' appears twice in one object");
}

TEST_F(BadInputTest, ConfigKeyTwice) {
    write_file(path("config.json"), R"({"model_type": "bert", "hidden_size": 32, "hidden_size": 64})");
    EXPECT_EQ(error_of([&] { Checkpoint::open(dir); }),
              "config '" + path("config.json") + "': key 'hidden_size' appears twice in one object");
}

// A name holding a newline or another control character must not split the
// one-line error: it is escaped where the error is made.
TEST_F(BadInputTest, ControlCharactersInNamesAreEscaped) {
    std::string h = "{\"a\\nb\\u0001\": {\"dtype\": \"F99\", \"shape\": [1], \"data_offsets\": [0, 4]}}";
    std::string msg = st_error(h, 4);
    EXPECT_EQ(msg, "safetensors '" + path("x.safetensors") + "': tensor 'a\\nb\\x01': unknown dtype 'F99'");
    EXPECT_EQ(msg.find('\n'), std::string::npos);
}

TEST(Checked, CountsAndBytes) {
    int64_t n = 0;
    size_t bytes = 0;
    EXPECT_TRUE(checked_numel({2, 3, 4}, &n));
    EXPECT_EQ(n, 24);
    EXPECT_TRUE(checked_numel({}, &n));
    EXPECT_EQ(n, 1);
    EXPECT_FALSE(checked_numel({2, -3}, &n));
    EXPECT_FALSE(checked_numel({int64_t(1) << 40, int64_t(1) << 40}, &n));    // 2^80
    EXPECT_TRUE(checked_numel({0, int64_t(1) << 62, int64_t(1) << 62}, &n));  // empty, whatever the rest
    EXPECT_EQ(n, 0);
    EXPECT_TRUE(checked_nbytes({int64_t(1) << 60}, 4, &bytes));
    EXPECT_EQ(bytes, size_t(1) << 62);
    EXPECT_FALSE(checked_nbytes({int64_t(1) << 62}, 4, &bytes));  // 2^64 bytes: was 0 in size_t
    EXPECT_FALSE(checked_nbytes({int64_t(1) << 61}, 8, &bytes));
}

TEST(Checked, TensorSizesFailInsteadOfWrapping) {
    EXPECT_EQ(error_of([] {
                  shape_numel({int64_t(1) << 40, int64_t(1) << 40});
              }),
              "shape (1099511627776, 1099511627776): element count overflows int64");
    EXPECT_EQ(error_of([] { shape_nbytes({int64_t(1) << 62}, DType::f32); }),
              "shape (4611686018427387904,): float32 byte size overflows int64");
    EXPECT_EQ(error_of([] { shape_numel({2, -1}); }), "shape (2, -1): negative dimension");
}

}  // namespace
}  // namespace hfx::test
