// pytorch_model.bin: the fixtures equal their model.safetensors byte for
// byte; hand-built archives cover each refusal.
#include <cstring>

#include "checkpoint/checkpoint.h"
#include "test_util.h"

namespace hfx::test {
namespace {

std::vector<std::string> bin_fixtures() {
    std::vector<std::string> out;
    for (const char* arch : {"bert", "gpt2"})
        for (const auto& e : fs::directory_iterator(std::string(HFX_FIXTURES_DIR) + "/" + arch))
            if (fs::exists(e.path() / "pytorch_model.bin")) out.push_back(e.path().string());
    return out;
}

TEST(TorchBinFixtures, EqualSafetensorsByteForByte) {
    auto dirs = bin_fixtures();
    ASSERT_GE(dirs.size(), 10u);
    for (const auto& d : dirs) {
        Checkpoint bin = Checkpoint::open(d + "/pytorch_model.bin"), st = Checkpoint::open(d);
        // torch.save keeps tied weights under both names; safetensors stores them once.
        EXPECT_GE(bin.names().size(), st.names().size()) << d;
        for (const auto& name : st.names()) {
            ASSERT_TRUE(bin.has(name)) << d << " " << name;
            const WeightRef &a = bin.at(name), &b = st.at(name);
            EXPECT_EQ(a.dtype, b.dtype) << d << " " << name;
            EXPECT_EQ(a.shape, b.shape) << d << " " << name;
            ASSERT_EQ(a.nbytes, b.nbytes) << d << " " << name;
            EXPECT_EQ(std::memcmp(a.data, b.data, a.nbytes), 0) << d << " " << name;
        }
    }
}

TEST(TorchBinFixtures, TiedWeightsShareOneStorage) {
    Checkpoint bin = Checkpoint::open(std::string(HFX_FIXTURES_DIR) + "/bert/masked-lm/pytorch_model.bin");
    EXPECT_EQ(bin.at("cls.predictions.decoder.weight").data, bin.at("bert.embeddings.word_embeddings.weight").data);
}

class TorchBinTest : public TempDir {
protected:
    void SetUp() override {
        TempDir::SetUp();
        write_file(path("config.json"), R"({"model_type": "bert"})");
    }
    std::string bin() const { return path("pytorch_model.bin"); }
    void write_bin(const std::string& pickle, std::vector<ZipItem> storages = {}) {
        write_file(bin(), torch_zip(pickle, std::move(storages)));
    }
    std::string open_error() {
        return error_of([&] { Checkpoint::open(dir); });
    }
    static std::string floats(std::vector<float> v) {
        return std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4);
    }
    // {"w": tensor over storage "0" of 6 floats}
    static std::string one_tensor(int32_t offset, std::vector<int32_t> size, std::vector<int32_t> stride) {
        return PickleBuilder().op('}').mark().str("w").tensor("0", 6, offset, size, stride).op('u').done();
    }
};

TEST_F(TorchBinTest, HandBuiltTensorIsAViewAtItsOffset) {
    write_bin(one_tensor(2, {2, 2}, {2, 1}), {{"0", floats({0, 1, 2, 3, 4, 5})}});
    Checkpoint ck = Checkpoint::open(dir);
    Tensor w = ck.tensor("w");
    EXPECT_EQ(w.shape, (Shape{2, 2}));
    EXPECT_EQ(std::vector<float>(w.ptr<float>(), w.ptr<float>() + 4), (std::vector<float>{2, 3, 4, 5}));
}

// A state dict naming a tensor twice: the last one won before.
TEST_F(TorchBinTest, TensorNamedTwice) {
    write_bin(PickleBuilder()
                  .op('}')
                  .mark()
                  .str("w")
                  .tensor("0", 6, 0, {6}, {1})
                  .str("w")
                  .tensor("0", 6, 0, {3}, {1})
                  .op('u')
                  .done(),
              {{"0", floats({0, 1, 2, 3, 4, 5})}});
    EXPECT_EQ(open_error(), "pickle '" + bin() + "': tensor 'w': appears twice in the state dict");
}

TEST_F(TorchBinTest, NegativeSize) {
    write_bin(one_tensor(0, {-2, 3}, {3, 1}), {{"0", floats({0, 1, 2, 3, 4, 5})}});
    EXPECT_EQ(open_error(), "pickle '" + bin() + "': tensor 'w': negative dimension in size (-2, 3)");
}

TEST_F(TorchBinTest, OrderedDictParameterAndMetadata) {
    // OrderedDict() + SETITEMS + BUILD({'_metadata': ...}), weights wrapped in _rebuild_parameter.
    PickleBuilder p;
    p.global("collections", "OrderedDict").op(')').op('R').mark().str("w");
    p.global("torch._utils", "_rebuild_parameter").mark().tensor("0", 6, 0, {6}, {1});
    p.op('\x88').global("collections", "OrderedDict").op(')').op('R').op('t').op('R');
    p.op('u').op('}').str("_metadata").op('}').op('s').op('b');
    write_bin(p.done(), {{"0", floats({0, 1, 2, 3, 4, 5})}});
    EXPECT_EQ(Checkpoint::open(dir).at("w").shape, Shape{6});
}

TEST_F(TorchBinTest, ForbiddenGlobal) {
    write_bin(PickleBuilder().global("os", "system").str("rm -rf /").op('\x85').op('R').done());
    EXPECT_EQ(open_error(), "pickle '" + bin() + "': global 'os.system' is not allowed (byte 2 of archive/data.pkl)");
}

TEST_F(TorchBinTest, StorageTypeCannotBeCalled) {
    write_bin(PickleBuilder().global("torch", "FloatStorage").op(')').op('R').done());
    EXPECT_EQ(open_error(),
              "pickle '" + bin() + "': global 'torch.FloatStorage' cannot be called (byte 23 of archive/data.pkl)");
}

TEST_F(TorchBinTest, NonContiguous) {
    write_bin(one_tensor(0, {2, 2}, {1, 2}), {{"0", floats({0, 1, 2, 3, 4, 5})}});
    EXPECT_EQ(open_error(), "pickle '" + bin() +
                                "': tensor 'w': stride (1, 2) is not contiguous for size (2, 2); "
                                "only contiguous tensors can be mapped");
}

TEST_F(TorchBinTest, ViewPastStorage) {
    write_bin(one_tensor(4, {2, 2}, {2, 1}), {{"0", floats({0, 1, 2, 3, 4, 5})}});
    EXPECT_EQ(open_error(), "pickle '" + bin() + "': tensor 'w': elements [4, 8) exceed storage '0' of 6");
}

TEST_F(TorchBinTest, StorageEntryMissingOrShort) {
    write_bin(one_tensor(0, {6}, {1}));
    EXPECT_EQ(open_error(),
              "pickle '" + bin() + "': tensor 'w': storage entry 'archive/data/0' is missing from the archive");
    write_bin(one_tensor(0, {6}, {1}), {{"0", floats({0, 1})}});
    EXPECT_EQ(open_error(),
              "pickle '" + bin() + "': tensor 'w': storage entry 'archive/data/0' holds 8 bytes, fewer than 6 float32");
}

TEST_F(TorchBinTest, CompressedEntry) {
    write_file(bin(), zip_bytes({{"archive/data.pkl", "xx", 8}}));
    EXPECT_EQ(open_error(), "zip '" + bin() +
                                "': entry 'archive/data.pkl' is compressed (method 8); "
                                "only stored entries can be mapped");
}

TEST_F(TorchBinTest, NotAZip) {
    write_file(bin(), std::string(100, 'x'));
    EXPECT_EQ(open_error(), "zip '" + bin() + "': no end of central directory record (not a zip archive)");
    write_file(bin(), zip_bytes({{"weights.npy", "x"}}));
    EXPECT_EQ(open_error(), "zip '" + bin() + "': no <folder>/data.pkl entry (not a torch.save archive)");
}

TEST_F(TorchBinTest, TopLevelNotADict) {
    write_bin(PickleBuilder().op(']').done());
    EXPECT_EQ(open_error(), "pickle '" + bin() + "': top-level object is a list, expected a dict of tensors");
    write_bin(PickleBuilder().op('}').str("w").integer(3).op('s').done());
    EXPECT_EQ(open_error(), "pickle '" + bin() + "': entry 'w' is a int, not a tensor");
}

TEST_F(TorchBinTest, TopFolderNameVaries) {
    std::string pkl = one_tensor(0, {6}, {1});
    write_file(bin(), zip_bytes({{"my_model/data.pkl", pkl}, {"my_model/data/0", floats({0, 1, 2, 3, 4, 5})}}));
    EXPECT_EQ(Checkpoint::open(dir).at("w").nbytes, 24u);
}

// Corrupting any byte of the pickle or of the zip directory of a real
// archive gives an hfx::Error or a successful load: never a crash.
TEST_F(TorchBinTest, CorruptionsNeverCrash) {
    std::string good = read_file(std::string(HFX_FIXTURES_DIR) + "/gpt2/default/pytorch_model.bin");
    size_t pkl_start = good.find("\x80\x02");
    size_t cd_start = good.find(std::string("PK\x01\x02", 4));
    std::vector<size_t> spots;
    for (size_t i = pkl_start; i < pkl_start + 2300; ++i) spots.push_back(i);
    for (size_t i = cd_start; i < good.size(); ++i) spots.push_back(i);
    for (size_t i : spots) {
        std::string bad = good;
        bad[i] = char(bad[i] ^ 0xa5);
        write_file(bin(), bad);
        try {
            Checkpoint::open(dir);
        } catch (const Error&) {}
    }
    for (size_t n = 0; n < good.size(); n += 97) {
        write_file(bin(), good.substr(0, n));
        EXPECT_THROW(Checkpoint::open(dir), Error) << n;
    }
}

}  // namespace
}  // namespace hfx::test
