// Every malformed .safetensors case gives a one-line error naming the file
// and, where there is one, the tensor.
#include "checkpoint/safetensors.h"

#include "test_util.h"

namespace hfx::test {
namespace {

class SafetensorsTest : public TempDir {
protected:
    // Writes `bytes` as x.safetensors and returns the error of opening it.
    std::string open_error(const std::string& bytes) {
        write_file(path("x.safetensors"), bytes);
        return error_of([&] { open_safetensors(path("x.safetensors")); });
    }
    std::string header_error(const std::string& header, size_t data_bytes) {
        return open_error(safetensors_bytes(header, data_bytes));
    }
    std::string prefix() const { return "safetensors '" + path("x.safetensors") + "': "; }
};

TEST_F(SafetensorsTest, ReadsValidFile) {
    std::string h =
        R"({"__metadata__":{"format":"pt"},"b":{"dtype":"F16","shape":[2],"data_offsets":[8,12]},)"
        R"("a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"e":{"dtype":"BOOL","shape":[0],"data_offsets":[12,12]}})";
    write_file(path("x.safetensors"), safetensors_bytes(h, 12));
    SafetensorsFile st = open_safetensors(path("x.safetensors"));
    ASSERT_EQ(st.tensors.size(), 3u);
    EXPECT_EQ(st.metadata.at("format"), "pt");
    EXPECT_EQ(st.tensors[0].name, "a");  // data order
    EXPECT_EQ(st.tensors[0].dtype, DType::i64);
    EXPECT_EQ(st.tensors[1].name, "b");
    EXPECT_EQ(st.tensors[1].shape, Shape{2});
    EXPECT_EQ(st.tensors[1].nbytes, 4u);
    EXPECT_EQ(static_cast<const uint8_t*>(st.tensors[1].data), st.file->data() + 8 + h.size() + 8);
}

TEST_F(SafetensorsTest, ReadsEveryFixtureDtype) {
    for (const char* d : {"F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8", "U8", "BOOL"})
        EXPECT_NE(safetensors_dtype(d), DType::undefined) << d;
}

TEST_F(SafetensorsTest, ShorterThanLengthPrefix) {
    EXPECT_EQ(open_error("abc"), prefix() + "file is 3 bytes, too short for the 8-byte header length");
}

TEST_F(SafetensorsTest, HeaderLengthLargerThanFile) {
    EXPECT_EQ(open_error(le_bytes(1000, 8) + "{}"), prefix() + "header length 1000 exceeds the file size of 10 bytes");
}

TEST_F(SafetensorsTest, AbsurdHeaderLength) {
    EXPECT_EQ(open_error(le_bytes(~uint64_t(0), 8) + "{}"),
              prefix() + "header length 18446744073709551615 exceeds the file size of 10 bytes");
}

TEST_F(SafetensorsTest, HeaderLengthOverLimit) {
    // A sparse 200 MB file: the length fits the file but no real header is that big.
    write_file(path("x.safetensors"), le_bytes(150'000'000, 8) + "{}");
    fs::resize_file(path("x.safetensors"), 200'000'000);
    EXPECT_EQ(error_of([&] { open_safetensors(path("x.safetensors")); }),
              prefix() + "header length 150000000 is over the limit of 100000000 bytes");
}

TEST_F(SafetensorsTest, HeaderNotJson) {
    EXPECT_EQ(header_error("{\"a\": nope}", 0), prefix() + "header is not valid JSON (byte 8 of the header)");
}

TEST_F(SafetensorsTest, HeaderNotObject) {
    EXPECT_EQ(header_error("[1, 2]", 0), prefix() + "header is not a JSON object");
}

TEST_F(SafetensorsTest, EntryNotObject) {
    EXPECT_EQ(header_error(R"({"w": 3})", 0), prefix() + "tensor 'w': entry is not an object");
}

TEST_F(SafetensorsTest, MissingField) {
    EXPECT_EQ(header_error(R"({"w": {"dtype": "F32", "shape": [1]}})", 4),
              prefix() + "tensor 'w': missing 'data_offsets'");
}

TEST_F(SafetensorsTest, UnknownDtype) {
    EXPECT_EQ(header_error(R"({"w": {"dtype": "F8_E4M3", "shape": [1], "data_offsets": [0, 1]}})", 1),
              prefix() + "tensor 'w': unknown dtype 'F8_E4M3'");
    EXPECT_EQ(header_error(R"({"w": {"dtype": 1, "shape": [1], "data_offsets": [0, 1]}})", 1),
              prefix() + "tensor 'w': dtype is not a string");
}

TEST_F(SafetensorsTest, BadShape) {
    std::string msg = prefix() + "tensor 'w': shape is not a list of non-negative integers";
    for (const char* shape : {"[-1]", "[2.5]", "\"2\"", "[[2]]", "3", "[true]"}) {
        std::string h = std::string(R"({"w": {"dtype": "U8", "shape": )") + shape + R"(, "data_offsets": [0, 2]}})";
        EXPECT_EQ(header_error(h, 2), msg) << shape;
    }
}

TEST_F(SafetensorsTest, BadOffsets) {
    std::string msg = prefix() + "tensor 'w': data_offsets is not a pair of non-negative integers";
    for (const char* off : {"[0]", "[0, 1, 2]", "[-1, 0]", "[0, 1.5]", "{}", "[\"0\", 1]"}) {
        std::string h = std::string(R"({"w": {"dtype": "U8", "shape": [1], "data_offsets": )") + off + "}}";
        EXPECT_EQ(header_error(h, 2), msg) << off;
    }
}

TEST_F(SafetensorsTest, OffsetsOutOfRange) {
    EXPECT_EQ(
        header_error(R"({"bert.pooler.dense.weight": {"dtype": "U8", "shape": [10], "data_offsets": [10, 20]}})", 16),
        prefix() + "tensor 'bert.pooler.dense.weight': data_offsets [10, 20] exceed the data area of 16 bytes");
}

TEST_F(SafetensorsTest, EndBeforeBegin) {
    EXPECT_EQ(header_error(R"({"w": {"dtype": "U8", "shape": [0], "data_offsets": [8, 4]}})", 16),
              prefix() + "tensor 'w': data_offsets [8, 4]: end is before begin");
}

TEST_F(SafetensorsTest, SizeMismatch) {
    EXPECT_EQ(header_error(R"({"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 12]}})", 16),
              prefix() + "tensor 'w': data_offsets [0, 12] hold 12 bytes but F32 (2, 2) needs 16");
}

TEST_F(SafetensorsTest, ShapeOverflow) {
    EXPECT_EQ(header_error(R"({"w": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 0]}})", 0),
              prefix() + "tensor 'w': shape (4294967296, 4294967296) is too large");
}

TEST_F(SafetensorsTest, OverlappingTensors) {
    std::string h = R"({"a": {"dtype": "U8", "shape": [8], "data_offsets": [0, 8]},)"
                    R"( "b": {"dtype": "U8", "shape": [8], "data_offsets": [4, 12]}})";
    EXPECT_EQ(header_error(h, 12), prefix() + "tensor 'b': data_offsets [4, 12] overlap tensor 'a' [0, 8]");
}

TEST_F(SafetensorsTest, BadMetadata) {
    EXPECT_EQ(header_error(R"({"__metadata__": {"format": 1}})", 0),
              prefix() + "__metadata__ 'format' is not a string");
    EXPECT_EQ(header_error(R"({"__metadata__": []})", 0), prefix() + "__metadata__ is not an object of strings");
}

TEST_F(SafetensorsTest, MissingFile) {
    std::string missing = path("nope.safetensors");
    EXPECT_EQ(error_of([&] { open_safetensors(missing); }),
              "file '" + missing + "': cannot open: No such file or directory");
}

// Every truncation and single-byte corruption of a real file either parses or
// fails with an hfx::Error: never a crash, never another exception type.
TEST_F(SafetensorsTest, CorruptionsNeverCrash) {
    std::string good = read_file(std::string(HFX_FIXTURES_DIR) + "/bert/default/model.safetensors");
    size_t header_end = 8 + size_t(uint8_t(good[0])) + (size_t(uint8_t(good[1])) << 8);
    for (size_t n = 0; n < header_end + 16; n += 7) {
        write_file(path("x.safetensors"), good.substr(0, n));
        EXPECT_THROW(open_safetensors(path("x.safetensors")), Error) << n;
    }
    for (size_t i = 0; i < header_end; i += 3) {
        std::string bad = good;
        bad[i] = char(bad[i] ^ 0x5a);
        write_file(path("x.safetensors"), bad);
        try {
            open_safetensors(path("x.safetensors"));
        } catch (const Error&) {}
    }
}

}  // namespace
}  // namespace hfx::test
