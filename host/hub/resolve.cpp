#include "hub/resolve.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <spdlog/spdlog.h>

#include "checkpoint/checkpoint.h"
#include "core/error.h"
#include "export/exporter.h"
#include "hub/cache_layout.h"
#include "hub/download.h"
#include "hub/environment.h"
#include "hub/session.h"

namespace fs = std::filesystem;

namespace hfx::hub {

namespace {

// A file (the pointer of a snapshot, a blob) read whole.
std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// The shard file names of a sharded checkpoint's index, in order of first use.
std::vector<std::string> shards_of(const fs::path& index_file, const std::string& model) {
    nlohmann::json index = nlohmann::json::parse(slurp(index_file), nullptr, false);
    if (index.is_discarded() || !index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object())
        fail("model '", model, "': index '", index_file.filename().string(), "' has no weight_map object (",
             index_file.string(), ")");
    std::vector<std::string> shards;
    std::set<std::string> seen;
    for (const auto& [tensor, file] : index["weight_map"].items()) {
        if (!file.is_string()) fail("model '", model, "': index weight_map entry '", tensor, "' is not a file name");
        std::string name = file.get<std::string>();
        if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
            fail("model '", model, "': index shard '", name, "' (tensor '", tensor,
                 "') is not a file name next to the index");
        if (seen.insert(name).second) shards.push_back(name);
    }
    return shards;
}

// What an export of this checkpoint reads, chosen from the files `has` says exist; `index_path`
// gives the local path of an index once it is there (the shards are only known then).
template <class Has, class Local>
std::vector<std::string> files_needed(Has has, Local index_path, const std::string& model, std::string* missing) {
    std::vector<std::string> files;
    if (!has("config.json")) {
        *missing = "config.json";
        return files;
    }
    files.push_back("config.json");
    std::string weights;
    for (const std::string& name : Checkpoint::weight_file_names())
        if (weights.empty() && has(name)) weights = name;
    if (weights.empty()) {
        *missing = Checkpoint::weight_file_names().front();
        return files;
    }
    files.push_back(weights);
    if (weights.size() > 11 && weights.compare(weights.size() - 11, 11, ".index.json") == 0) {
        fs::path local = index_path(weights);
        if (local.empty()) {
            *missing = weights;
            return files;
        }
        for (const std::string& shard : shards_of(local, model)) {
            if (!has(shard)) {
                *missing = shard;
                return files;
            }
            files.push_back(shard);
        }
    }
    for (const std::string& name : checkpoint_side_files())
        if (has(name)) files.push_back(name);
    return files;
}

// The cached snapshot of `id`, when it holds everything the export needs; else "" and the
// first missing file in `missing`.
std::string from_cache(const ModelId& id, const RepoCache& cache, std::string* missing) {
    auto commit = cache.commit_of(id.revision);
    if (!commit || !fs::is_directory(cache.snapshot(*commit))) {
        *missing = "config.json";
        return "";
    }
    fs::path snap = cache.snapshot(*commit);
    auto has = [&](const std::string& f) {
        std::error_code ec;
        return fs::is_regular_file(snap / f, ec);  // follows the symlink: a dangling one is missing
    };
    auto local = [&](const std::string& f) { return has(f) ? snap / f : fs::path(); };
    missing->clear();
    files_needed(has, local, id.display(), missing);
    return missing->empty() ? snap.string() : "";
}

struct RepoInfo {
    std::string commit;
    std::set<std::string> files;
};

RepoInfo repo_info(HubSession& hub) {
    HttpResponse r = hub.http.send(hub.request("GET", hub.api_url(hub.id.revision)));
    if (r.status != 200) hub.fail_status(r, "");
    nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
    std::string where = " (" + r.url + ")";
    if (j.is_discarded() || !j.is_object()) fail("model '", hub.id.display(), "': the hub's answer is not JSON", where);
    if (!j.contains("sha") || !j["sha"].is_string() || !is_commit_hash(j["sha"].get<std::string>()))
        fail("model '", hub.id.display(), "': the hub's answer has no commit 'sha'", where);
    if (!j.contains("siblings") || !j["siblings"].is_array())
        fail("model '", hub.id.display(), "': the hub's answer has no 'siblings' file list", where);
    RepoInfo info;
    info.commit = j["sha"].get<std::string>();
    for (const auto& s : j["siblings"])
        if (s.is_object() && s.contains("rfilename") && s["rfilename"].is_string())
            info.files.insert(s["rfilename"].get<std::string>());
    return info;
}

std::string download(HubSession& hub, const RepoCache& cache, const RepoInfo& info) {
    // snapshot_download: refs/<revision> first, then each file of the commit.
    cache.write_ref(hub.id.revision, info.commit);
    cache.tag_root();
    auto has = [&](const std::string& f) { return info.files.count(f) != 0; };
    auto local = [&](const std::string& f) { return fetch_file(hub, cache, info.commit, f); };
    std::string missing;
    std::vector<std::string> files = files_needed(has, local, hub.id.display(), &missing);
    if (!missing.empty())
        fail("model '", hub.id.display(), "': the repository has no '", missing, "' at revision '", hub.id.revision,
             "' (", hub.api_url(hub.id.revision), ")");
    for (const std::string& f : files) fetch_file(hub, cache, info.commit, f);
    return cache.snapshot(info.commit).string();
}

}  // namespace

std::string resolve_hub_model(const ModelId& id) {
    RepoCache cache(cache_root(), id.repo);
    std::string missing;
    if (offline_mode()) {
        std::string snap = from_cache(id, cache, &missing);
        if (snap.empty())
            fail("model '", id.display(), "': '", missing,
                 "' is not in the Hugging Face cache and HF_HUB_OFFLINE is set (", cache.folder().string(), ")");
        spdlog::debug("model {}: cached snapshot {} (offline)", id.display(), snap);
        return snap;
    }
    HubSession hub{id, endpoint(), token(), {}};
    RepoInfo info;
    try {
        info = repo_info(hub);
    } catch (const ConnectionError& e) {
        // huggingface_hub, offline without being told: what the cache has is used.
        std::string snap = from_cache(id, cache, &missing);
        if (snap.empty())
            fail("model '", id.display(), "': cannot reach the hub and '", missing, "' is not in the cache (", e.what(),
                 ")");
        spdlog::warn("model {}: hub unreachable, using the cached snapshot {}", id.display(), snap);
        return snap;
    }
    std::string snap = download(hub, cache, info);
    spdlog::debug("model {}: snapshot {}", id.display(), snap);
    return snap;
}

std::string resolve_model(const std::string& model) {
    std::error_code ec;
    if (fs::exists(model, ec)) return model;  // a local path always wins
    auto id = parse_model_id(model);
    if (!id) return model;  // not a hub id either: the checkpoint reader says it does not exist
    try {
        return resolve_hub_model(*id);
    } catch (const Error& e) {
        throw Error(std::string(e.what()) + "; no local folder '" + model + "' either");
    }
}

}  // namespace hfx::hub
