#include "checkpoint/safetensors_write.h"

#include "checkpoint/safetensors.h"
#include "test_util.h"

namespace hfx::test {
namespace {

using SafetensorsWriteTest = TempDir;

TEST_F(SafetensorsWriteTest, RoundTrip) {
    std::vector<std::pair<std::string, Tensor>> tensors{
        {"z.weight", Tensor::from<float>(DType::f32, {2, 3}, {1, 2, 3, 4, 5, 6})},
        {"a.ids", Tensor::from<int64_t>(DType::i64, {3}, {7, -8, 9})},
        {"empty", Tensor::empty(DType::f16, {0, 4})},
        {"mask", Tensor::from<uint8_t>(DType::boolean, {1}, {1})},
    };
    write_safetensors(path("t.safetensors"), tensors, {{"format", "pt"}});

    std::string bytes = read_file(path("t.safetensors"));
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | uint8_t(bytes[size_t(i)]);
    EXPECT_EQ(n % 8, 0u) << "header padded to a multiple of 8";
    EXPECT_EQ(bytes.substr(8, 15), R"({"__metadata__")");
    EXPECT_EQ(open_safetensors(path("t.safetensors")).metadata.at("format"), "pt");

    auto back = read_safetensors(path("t.safetensors"));
    ASSERT_EQ(back.size(), tensors.size());
    for (const auto& [name, t] : tensors) {
        const Tensor& r = back.at(name);
        EXPECT_EQ(r.dtype, t.dtype) << name;
        EXPECT_EQ(r.shape, t.shape) << name;
        EXPECT_EQ(std::memcmp(r.data, t.data, t.nbytes()), 0) << name;
        EXPECT_NE(r.owner, nullptr);
    }
    // No temporary file is left behind.
    EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

TEST_F(SafetensorsWriteTest, ViewOutlivesTheMap) {
    write_safetensors(path("t.safetensors"), {{"x", Tensor::from<float>(DType::f32, {2}, {1.5f, 2.5f})}});
    Tensor x = read_safetensors(path("t.safetensors")).at("x");
    EXPECT_EQ(x.ptr<float>()[1], 2.5f);  // the mapping is kept alive by the tensor
}

TEST_F(SafetensorsWriteTest, RejectsDuplicateNames) {
    Tensor t = Tensor::from<float>(DType::f32, {1}, {1});
    std::string p = path("t.safetensors");
    EXPECT_EQ(error_of([&] {
                  write_safetensors(p, {{"x", t}, {"x", t}});
              }),
              "safetensors '" + p + "': tensor 'x': appears twice");
    EXPECT_FALSE(fs::exists(p));
    EXPECT_EQ(error_of([&] {
                  write_safetensors(p, {{"x", Tensor{}}});
              }),
              "safetensors '" + p + "': tensor 'x': dtype undefined cannot be stored");
}

TEST_F(SafetensorsWriteTest, UnwritableFolder) {
    std::string p = path("missing/t.safetensors");
    std::string msg = error_of([&] { write_safetensors(p, {}); });
    EXPECT_EQ(msg.rfind("safetensors '" + p + "': cannot create", 0), 0u) << msg;
}

}  // namespace
}  // namespace hfx::test
