// The cache a hub download leaves is the one huggingface_hub's snapshot_download leaves (refs,
// blobs named by ETag, relative snapshot symlinks), a warm cache costs one API call and no
// download, offline mode costs nothing, and a broken download resumes where it stopped.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <cstdio>
#include <set>

#include "checkpoint/checkpoint.h"
#include "checkpoint/safetensors_write.h"
#include "core/error.h"
#include "hub/hub_env.h"
#include "hub/resolve.h"

namespace fs = std::filesystem;

namespace hfx::test {
namespace {

// The blob name huggingface_hub gives a file: X-Linked-Etag (sha256) for LFS files, else the ETag.
std::string etag_of(const std::string& name, const std::string& bytes) {
    return FakeHub::is_lfs(name) ? FakeHub::sha256(bytes) : FakeHub::git_etag(bytes);
}

std::set<std::string> names_in(const std::string& dir) {
    std::set<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) out.insert(e.path().filename().string());
    return out;
}

TEST_F(HubTest, LayoutIsHuggingFaceHubs) {
    std::string snap = hub::resolve_model("org/tiny-bert");
    EXPECT_EQ(snap, repo_dir() + "/snapshots/" + main_commit);
    EXPECT_EQ(read_file(repo_dir() + "/refs/main"), main_commit);  // the hash alone, no newline
    // Only what the export reads: safetensors over pytorch_model.bin, no model card.
    const std::set<std::string> wanted = {"config.json", "model.safetensors", "generation_config.json", "vocab.txt",
                                          "tokenizer_config.json"};
    EXPECT_EQ(names_in(snap), wanted);
    std::set<std::string> blobs, locks;
    auto files = tiny_bert_files();
    for (const std::string& name : wanted) {
        std::string etag = etag_of(name, files[name]);
        ASSERT_TRUE(fs::is_symlink(snap + "/" + name)) << name;
        EXPECT_EQ(fs::read_symlink(snap + "/" + name).string(), "../../blobs/" + etag) << name;
        EXPECT_EQ(read_file(repo_dir() + "/blobs/" + etag), files[name]) << name;
        blobs.insert(etag);
        locks.insert(etag + ".lock");
    }
    EXPECT_EQ(names_in(repo_dir() + "/blobs"), blobs);  // no .incomplete left behind
    EXPECT_EQ(names_in(cache + "/.locks/models--org--tiny-bert"), locks);
    EXPECT_EQ(names_in(repo_dir()), (std::set<std::string>{"blobs", "refs", "snapshots"}));
    EXPECT_TRUE(fs::exists(cache + "/CACHEDIR.TAG"));
    // One API call, a HEAD per file, the small files from the hub, the weights from the CDN.
    EXPECT_EQ(count("hub", "GET"), 1u + 4u);
    EXPECT_EQ(count("hub", "HEAD"), 5u);
    EXPECT_EQ(count("cdn", "GET"), 1u);
    Checkpoint ckpt = Checkpoint::open(snap);
    EXPECT_GT(ckpt.num_parameters(), 0);
}

// The cache as make_expected_layout.py writes it: "dir/", "file size first-16-bytes-hex",
// "link -> target", sorted.
std::string dump_cache(const std::string& root) {
    std::set<std::string> lines;
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
        std::string rel = it->path().lexically_relative(root).string();  // not relative(): it follows links
        if (rel == "CACHEDIR.TAG") continue;  // current huggingface_hub writes it, 0.23.4 did not
        if (it->is_symlink()) {
            lines.insert(rel + " -> " + fs::read_symlink(it->path()).string());
        } else if (it->is_directory()) {
            lines.insert(rel + "/");
        } else {
            std::string bytes = read_file(it->path().string()), hex;
            char b[3];
            for (size_t i = 0; i < std::min<size_t>(16, bytes.size()); ++i)
                std::snprintf(b, sizeof b, "%02x", static_cast<unsigned char>(bytes[i])), hex += b;
            lines.insert(rel + " " + std::to_string(bytes.size()) + " " + hex);
        }
    }
    std::string out;
    for (const std::string& l : lines) out += l + "\n";
    return out;
}

// expected_layout.txt is what Python's huggingface_hub 0.23.4 (snapshot_download of the same five
// files from this fake hub) left in an empty cache: make_expected_layout.py.
TEST_F(HubTest, CacheEqualsWhatHuggingFaceHubWrote) {
    hub::resolve_model("org/tiny-bert");
    EXPECT_EQ(dump_cache(cache), read_file(std::string(HFX_SOURCE_DIR) + "/tests/hub/expected_layout.txt"));
}

TEST_F(HubTest, WarmCacheDownloadsNothing) {
    std::string first = hub::resolve_model("org/tiny-bert");
    hub.clear_requests();
    EXPECT_EQ(hub::resolve_model("org/tiny-bert"), first);
    auto log = hub.requests();
    ASSERT_EQ(log.size(), 1u);  // the revision's commit and file list; no HEAD, no file
    EXPECT_EQ(log[0].target, "/api/models/org/tiny-bert/revision/main");
}

TEST_F(HubTest, OfflineUsesTheCacheWithoutRequests) {
    std::string first = hub::resolve_model("org/tiny-bert");
    hub.clear_requests();
    ::setenv("HF_HUB_OFFLINE", "1", 1);
    EXPECT_EQ(hub::resolve_model("org/tiny-bert"), first);
    EXPECT_TRUE(hub.requests().empty());
}

TEST_F(HubTest, OfflineMissIsOneLineNamingRepoAndFile) {
    ::setenv("HF_HUB_OFFLINE", "1", 1);
    try {
        hub::resolve_model("org/tiny-bert");
        FAIL() << "resolved offline with an empty cache";
    } catch (const Error& e) {
        std::string msg = e.what();
        EXPECT_NE(msg.find("model 'org/tiny-bert'"), std::string::npos) << msg;
        EXPECT_NE(msg.find("'config.json' is not in the Hugging Face cache"), std::string::npos) << msg;
        EXPECT_NE(msg.find("HF_HUB_OFFLINE"), std::string::npos) << msg;
        EXPECT_EQ(msg.find('\n'), std::string::npos);
    }
    EXPECT_TRUE(hub.requests().empty());
    // A snapshot that lost its weights blob is a miss naming the weights file.
    ::unsetenv("HF_HUB_OFFLINE");
    std::string snap = hub::resolve_model("org/tiny-bert");
    fs::remove(fs::canonical(snap + "/model.safetensors"));
    ::setenv("HF_HUB_OFFLINE", "1", 1);
    try {
        hub::resolve_model("org/tiny-bert");
        FAIL() << "resolved offline without the weights";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("'model.safetensors' is not in the Hugging Face cache"), std::string::npos)
            << e.what();
    }
}

TEST_F(HubTest, RevisionByBranchTagAndCommit) {
    std::string old_commit = commit_id("v1"), dev_commit = commit_id("dev");
    FakeRepo repo;
    auto files = tiny_bert_files();
    repo.commits[main_commit] = files;
    files["config.json"] = files["config.json"];  // same config, another vocabulary per commit
    files["vocab.txt"] = "v1 vocabulary\n";
    repo.commits[old_commit] = files;
    files["vocab.txt"] = "dev vocabulary\n";
    repo.commits[dev_commit] = files;
    repo.refs = {{"main", main_commit}, {"v1.0", old_commit}, {"dev", dev_commit}};
    hub.add_repo("org/revs", repo);
    std::string dir = repo_dir("models--org--revs");

    EXPECT_EQ(hub::resolve_model("org/revs@v1.0"), dir + "/snapshots/" + old_commit);
    EXPECT_EQ(read_file(dir + "/refs/v1.0"), old_commit);
    EXPECT_EQ(read_file(dir + "/snapshots/" + old_commit + "/vocab.txt"), "v1 vocabulary\n");
    EXPECT_EQ(hub::resolve_model("org/revs@dev"), dir + "/snapshots/" + dev_commit);
    EXPECT_EQ(read_file(dir + "/snapshots/" + dev_commit + "/vocab.txt"), "dev vocabulary\n");
    EXPECT_EQ(hub::resolve_model("org/revs@" + main_commit), dir + "/snapshots/" + main_commit);
    EXPECT_FALSE(fs::exists(dir + "/refs/" + main_commit));  // a commit needs no ref
    EXPECT_FALSE(fs::exists(dir + "/refs/main"));
    // The weights are one blob shared by the three snapshots.
    EXPECT_EQ(fs::canonical(dir + "/snapshots/" + old_commit + "/model.safetensors"),
              fs::canonical(dir + "/snapshots/" + dev_commit + "/model.safetensors"));
    // A revision the cache knows resolves offline too.
    ::setenv("HF_HUB_OFFLINE", "1", 1);
    hub.clear_requests();
    EXPECT_EQ(hub::resolve_model("org/revs@v1.0"), dir + "/snapshots/" + old_commit);
    EXPECT_TRUE(hub.requests().empty());
}

TEST_F(HubTest, DroppedConnectionResumesWithRange) {
    std::string weights = tiny_bert_files()["model.safetensors"];
    long half = long(weights.size() / 2);
    hub.drop_next_body_after(half);
    std::string snap = hub::resolve_model("org/tiny-bert");
    EXPECT_EQ(read_file(snap + "/model.safetensors"), weights);
    std::vector<std::string> ranges;
    for (const LoggedRequest& r : hub.requests())
        if (r.server == "cdn") ranges.push_back(r.range);
    EXPECT_EQ(ranges, (std::vector<std::string>{"", "bytes=" + std::to_string(half) + "-"}));
    for (const auto& e : fs::directory_iterator(repo_dir() + "/blobs")) EXPECT_EQ(e.path().extension(), "") << e.path();
}

TEST_F(HubTest, IncompleteBlobOfAnEarlierRunIsResumed) {
    std::string weights = tiny_bert_files()["model.safetensors"], sha = FakeHub::sha256(weights);
    fs::create_directories(repo_dir() + "/blobs");
    std::ofstream(repo_dir() + "/blobs/" + sha + ".incomplete", std::ios::binary) << weights.substr(0, 1000);
    std::string snap = hub::resolve_model("org/tiny-bert");
    EXPECT_EQ(read_file(snap + "/model.safetensors"), weights);
    std::vector<std::string> ranges;
    for (const LoggedRequest& r : hub.requests())
        if (r.server == "cdn") ranges.push_back(r.range);
    EXPECT_EQ(ranges, (std::vector<std::string>{"bytes=1000-"}));
    EXPECT_FALSE(fs::exists(repo_dir() + "/blobs/" + sha + ".incomplete"));
}

TEST_F(HubTest, ServerIgnoringRangeStartsOver) {
    std::string weights = tiny_bert_files()["model.safetensors"], sha = FakeHub::sha256(weights);
    fs::create_directories(repo_dir() + "/blobs");
    std::ofstream(repo_dir() + "/blobs/" + sha + ".incomplete", std::ios::binary) << std::string(1000, 'x');
    hub.set_ignore_range(true);
    EXPECT_EQ(read_file(hub::resolve_model("org/tiny-bert") + "/model.safetensors"), weights);
}

TEST_F(HubTest, FailedDownloadLeavesNoSnapshotFile) {
    hub.set_cdn_failure(500);
    try {
        hub::resolve_model("org/tiny-bert");
        FAIL() << "resolved with a failing CDN";
    } catch (const Error& e) {
        std::string msg = e.what();
        EXPECT_NE(msg.find("model 'org/tiny-bert'"), std::string::npos) << msg;
        EXPECT_NE(msg.find("model.safetensors"), std::string::npos) << msg;
        EXPECT_NE(msg.find("500"), std::string::npos) << msg;
    }
    EXPECT_FALSE(fs::exists(repo_dir() + "/snapshots/" + main_commit + "/model.safetensors"));
    EXPECT_FALSE(fs::exists(repo_dir() + "/blobs/" + FakeHub::sha256(tiny_bert_files()["model.safetensors"])));
}

TEST_F(HubTest, ShardedWeightsFetchEveryShardOfTheIndex) {
    Checkpoint whole = Checkpoint::open(std::string(HFX_FIXTURES_DIR) + "/bert/masked-lm");
    std::vector<std::pair<std::string, Tensor>> a, b;
    nlohmann::json index = {{"metadata", {{"total_size", 0}}}, {"weight_map", nlohmann::json::object()}};
    bool first = true;
    for (const std::string& name : whole.names()) {
        (first ? a : b).emplace_back(name, whole.tensor(name));
        index["weight_map"][name] = first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
        first = !first;
    }
    write_safetensors(tmp.path + "/s1", a);
    write_safetensors(tmp.path + "/s2", b);
    FakeRepo repo;
    std::string c = commit_id("sharded");
    repo.refs["main"] = c;
    repo.commits[c] = {{"config.json", tiny_bert_files()["config.json"]},
                       {"model.safetensors.index.json", index.dump()},
                       {"model-00001-of-00002.safetensors", read_file(tmp.path + "/s1")},
                       {"model-00002-of-00002.safetensors", read_file(tmp.path + "/s2")},
                       {"pytorch_model.bin", tiny_bert_files()["pytorch_model.bin"]}};
    hub.add_repo("org/sharded", repo);
    std::string snap = hub::resolve_model("org/sharded");
    EXPECT_EQ(names_in(snap),
              (std::set<std::string>{"config.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors",
                                     "model-00002-of-00002.safetensors"}));
    Checkpoint ckpt = Checkpoint::open(snap);
    EXPECT_EQ(ckpt.names(), whole.names());
    EXPECT_EQ(ckpt.num_parameters(), whole.num_parameters());
}

TEST_F(HubTest, ExistingLocalPathWins) {
    fs::path old = fs::current_path();
    fs::create_directories(tmp.path + "/cwd/org/tiny-bert");
    fs::current_path(tmp.path + "/cwd");
    std::string got = hub::resolve_model("org/tiny-bert");
    fs::current_path(old);
    EXPECT_EQ(got, "org/tiny-bert");
    EXPECT_TRUE(hub.requests().empty());
    // Not a hub id (an absolute path): left for the checkpoint reader to report.
    EXPECT_EQ(hub::resolve_model("/no/such/folder"), "/no/such/folder");
    EXPECT_TRUE(hub.requests().empty());
}

}  // namespace
}  // namespace hfx::test
