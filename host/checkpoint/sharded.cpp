// Sharded checkpoints: an index JSON whose "weight_map" names, for every
// tensor, the shard file (next to the index) that holds it.
#include <filesystem>
#include <set>

#include "checkpoint/json_file.h"
#include "checkpoint/weight_set.h"
#include "core/error.h"

namespace hfx {
namespace {

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

WeightSet load_shard(const std::string& path) {
    if (ends_with(path, ".safetensors")) return load_safetensors_weights(path);
    return load_torch_bin_weights(path);
}

}  // namespace

WeightSet load_sharded_weights(const std::string& index_path) {
    namespace fs = std::filesystem;
    nlohmann::json index = read_json_file("index", index_path);
    auto bad = [&](const std::string& what) { fail("index '", index_path, "': ", what); };
    if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object())
        bad("missing the \"weight_map\" object");
    const auto& weight_map = index["weight_map"];
    if (weight_map.empty()) bad("\"weight_map\" lists no tensors");

    // First pass: every shard must be a plain file name next to the index and
    // exist, so a typo is reported before any shard is parsed.
    fs::path dir = fs::path(index_path).parent_path();
    std::map<std::string, std::string> shard_paths;  // name in the index -> path
    for (const auto& [tensor, shard] : weight_map.items()) {
        if (!shard.is_string()) bad("tensor '" + tensor + "': shard name is not a string");
        std::string name = shard.get<std::string>();
        if (shard_paths.count(name)) continue;
        fs::path rel(name);
        if (name.empty() || rel.is_absolute() || rel.filename() != rel)
            bad("shard '" + name + "' (tensor '" + tensor + "') is not a file name next to the index");
        std::string path = (dir / rel).string();
        if (!fs::is_regular_file(path)) bad("shard '" + name + "' (tensor '" + tensor + "') does not exist");
        shard_paths[name] = path;
    }

    // Each shard is opened once; the index is the authority on which tensor
    // comes from where.
    WeightSet out;
    std::map<std::string, WeightSet> shards;
    for (const auto& [name, path] : shard_paths) {
        shards[name] = load_shard(path);
        for (auto& f : shards[name].files) out.files.push_back(f);
    }
    for (const auto& [tensor, shard] : weight_map.items()) {
        const WeightSet& s = shards[shard.get<std::string>()];
        auto it = s.weights.find(tensor);
        if (it == s.weights.end())
            bad("tensor '" + tensor + "': not in shard '" + shard_paths[shard.get<std::string>()] + "'");
        out.weights[tensor] = it->second;
    }
    return out;
}

}  // namespace hfx
