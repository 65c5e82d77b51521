// Checkpoint::open on folders, config.json and weight paths; the config and
// weight-discovery errors; sharded safetensors.
#include "checkpoint/checkpoint.h"

#include <nlohmann/json.hpp>

#include "checkpoint/safetensors_write.h"
#include "test_util.h"

namespace hfx::test {
namespace {

const std::string bert = std::string(HFX_FIXTURES_DIR) + "/bert/default";

class CheckpointTest : public TempDir {
protected:
    void write_config(const std::string& text = R"({"model_type": "bert"})") { write_file(path("config.json"), text); }
    std::string open_error(const std::string& p) {
        return error_of([&] { Checkpoint::open(p); });
    }
};

TEST_F(CheckpointTest, OpensFixtureFolder) {
    Checkpoint ck = Checkpoint::open(bert);
    EXPECT_EQ(ck.config().at("model_type"), "bert");
    EXPECT_EQ(ck.weight_files(), std::vector<std::string>{bert + "/model.safetensors"});
    ASSERT_TRUE(ck.has("embeddings.word_embeddings.weight"));
    const WeightRef& w = ck.at("embeddings.word_embeddings.weight");
    EXPECT_EQ(w.dtype, DType::f32);
    EXPECT_EQ(w.shape.size(), 2u);
    EXPECT_EQ(w.nbytes, size_t(shape_numel(w.shape)) * 4);

    int64_t total = 0;
    auto names = ck.names();
    EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
    for (const auto& n : names) total += shape_numel(ck.at(n).shape);
    EXPECT_EQ(ck.num_parameters(), total);
    EXPECT_EQ(ck.find("nope"), nullptr);
}

TEST_F(CheckpointTest, TensorViewOutlivesCheckpoint) {
    Tensor t;
    std::vector<float> copy;
    {
        Checkpoint ck = Checkpoint::open(bert);
        t = ck.tensor("embeddings.LayerNorm.weight");
        const float* p = static_cast<const float*>(ck.at("embeddings.LayerNorm.weight").data);
        EXPECT_EQ(t.data, p);  // zero-copy
        copy.assign(p, p + t.numel());
    }
    EXPECT_EQ(std::vector<float>(t.ptr<float>(), t.ptr<float>() + t.numel()), copy);
}

TEST_F(CheckpointTest, OpensConfigOrWeightsPath) {
    EXPECT_EQ(Checkpoint::open(bert + "/config.json").dir(), bert);
    EXPECT_EQ(Checkpoint::open(bert + "/").dir(), bert);
    Checkpoint bin = Checkpoint::open(bert + "/pytorch_model.bin");
    EXPECT_EQ(bin.weight_files(), std::vector<std::string>{bert + "/pytorch_model.bin"});
    EXPECT_EQ(bin.names(), Checkpoint::open(bert).names());
}

TEST_F(CheckpointTest, TensorNotFound) {
    Checkpoint ck = Checkpoint::open(bert);
    EXPECT_EQ(error_of([&] { ck.at("bert.nope"); }), "tensor 'bert.nope': not found in " + bert + "/model.safetensors");
}

TEST_F(CheckpointTest, MissingFolder) {
    EXPECT_EQ(open_error(path("nope")), "checkpoint '" + path("nope") + "': does not exist");
}

TEST_F(CheckpointTest, NotAWeightsFile) {
    write_config();
    write_file(path("vocab.txt"), "x");
    EXPECT_EQ(open_error(path("vocab.txt")),
              "checkpoint '" + path("vocab.txt") +
                  "': not a folder, config.json or weights file (.safetensors, .bin, .index.json)");
}

TEST_F(CheckpointTest, MissingConfig) {
    EXPECT_EQ(open_error(dir), "config '" + path("config.json") + "': does not exist");
}

TEST_F(CheckpointTest, ConfigNotJson) {
    write_config("{\n  \"model_type\": bert\n}");
    EXPECT_EQ(open_error(dir), "config '" + path("config.json") + "': not valid JSON (line 2, column 17)");
}

TEST_F(CheckpointTest, ConfigNotObject) {
    write_config("[1]");
    EXPECT_EQ(open_error(dir), "config '" + path("config.json") + "': not a JSON object");
}

TEST_F(CheckpointTest, ConfigWithoutModelType) {
    write_config(R"({"hidden_size": 32})");
    EXPECT_EQ(open_error(dir), "config '" + path("config.json") + "': missing \"model_type\"");
    write_config(R"({"model_type": 3})");
    EXPECT_EQ(open_error(dir), "config '" + path("config.json") + "': \"model_type\" is not a non-empty string");
}

TEST_F(CheckpointTest, NoWeights) {
    write_config();
    EXPECT_EQ(open_error(dir), "checkpoint '" + dir +
                                   "': no weights found (looked for model.safetensors, "
                                   "model.safetensors.index.json, pytorch_model.bin, "
                                   "pytorch_model.bin.index.json)");
}

TEST_F(CheckpointTest, PrefersSafetensorsOverBin) {
    write_config();
    write_file(path("pytorch_model.bin"), "not a zip");
    write_safetensors(path("model.safetensors"), {{"w", Tensor::from<float>(DType::f32, {1}, {1})}});
    EXPECT_EQ(Checkpoint::open(dir).names(), std::vector<std::string>{"w"});
}

class ShardedTest : public CheckpointTest {
protected:
    // Splits bert/default into two shards (alternate tensors) plus an index.
    nlohmann::json make_shards() {
        fs::copy_file(bert + "/config.json", path("config.json"));
        Checkpoint src = Checkpoint::open(bert);
        std::vector<std::pair<std::string, Tensor>> shard[2];
        nlohmann::json index = {{"metadata", {{"total_size", 0}}}, {"weight_map", nlohmann::json::object()}};
        int i = 0;
        for (const auto& name : src.names()) {
            int k = i++ % 2;
            shard[k].push_back({name, src.tensor(name)});
            index["weight_map"][name] = shard_name(k);
        }
        for (int k = 0; k < 2; ++k) write_safetensors(path(shard_name(k)), shard[k]);
        write_index(index);
        return index;
    }
    static std::string shard_name(int k) { return "model-0000" + std::to_string(k + 1) + "-of-00002.safetensors"; }
    void write_index(const nlohmann::json& index) { write_file(path("model.safetensors.index.json"), index.dump()); }
    std::string index_path() const { return path("model.safetensors.index.json"); }
};

TEST_F(ShardedTest, MatchesSingleFile) {
    make_shards();
    Checkpoint sharded = Checkpoint::open(dir), single = Checkpoint::open(bert);
    EXPECT_EQ(sharded.weight_files(), (std::vector<std::string>{path(shard_name(0)), path(shard_name(1))}));
    ASSERT_EQ(sharded.names(), single.names());
    for (const auto& name : single.names()) {
        const WeightRef &a = sharded.at(name), &b = single.at(name);
        EXPECT_EQ(a.shape, b.shape) << name;
        ASSERT_EQ(a.nbytes, b.nbytes) << name;
        EXPECT_EQ(std::memcmp(a.data, b.data, a.nbytes), 0) << name;
    }
    EXPECT_EQ(error_of([&] { sharded.at("x"); }), "tensor 'x': not found in " + index_path());
}

TEST_F(ShardedTest, ShardedPytorchBin) {
    fs::copy_file(bert + "/config.json", path("config.json"));
    fs::copy_file(bert + "/pytorch_model.bin", path("pytorch_model-00001-of-00001.bin"));
    nlohmann::json index = {{"weight_map", nlohmann::json::object()}};
    Checkpoint single = Checkpoint::open(bert);
    for (const auto& name : single.names()) index["weight_map"][name] = "pytorch_model-00001-of-00001.bin";
    write_file(path("pytorch_model.bin.index.json"), index.dump());
    Checkpoint sharded = Checkpoint::open(dir);
    ASSERT_EQ(sharded.names(), single.names());
    for (const auto& name : single.names())
        EXPECT_EQ(std::memcmp(sharded.at(name).data, single.at(name).data, single.at(name).nbytes), 0) << name;
}

TEST_F(ShardedTest, MissingShardFile) {
    make_shards();
    fs::remove(path(shard_name(1)));
    std::string msg = open_error(dir);
    EXPECT_EQ(msg.rfind("index '" + index_path() + "': shard '" + shard_name(1) + "' (tensor '", 0), 0u) << msg;
    EXPECT_NE(msg.find("') does not exist"), std::string::npos) << msg;
}

TEST_F(ShardedTest, TensorNotInItsShard) {
    auto index = make_shards();
    index["weight_map"]["embeddings.LayerNorm.weight"] =
        index["weight_map"]["embeddings.LayerNorm.weight"] == shard_name(0) ? shard_name(1) : shard_name(0);
    write_index(index);
    std::string msg = open_error(dir);
    EXPECT_EQ(msg.rfind("index '" + index_path() + "': tensor 'embeddings.LayerNorm.weight': not in shard '", 0), 0u)
        << msg;
}

TEST_F(ShardedTest, BadIndex) {
    auto index = make_shards();
    index["weight_map"]["embeddings.LayerNorm.weight"] = "../model.safetensors";
    write_index(index);
    EXPECT_EQ(open_error(dir), "index '" + index_path() +
                                   "': shard '../model.safetensors' (tensor 'embeddings.LayerNorm.weight') "
                                   "is not a file name next to the index");
    write_index({{"metadata", {}}});
    EXPECT_EQ(open_error(dir), "index '" + index_path() + "': missing the \"weight_map\" object");
    write_file(index_path(), "{");
    EXPECT_EQ(open_error(dir).rfind("index '" + index_path() + "': not valid JSON", 0), 0u);
}

}  // namespace
}  // namespace hfx::test
