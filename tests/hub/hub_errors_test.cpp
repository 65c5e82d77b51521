// What the hub refuses is a one-line error naming the model (and the file), and the token goes
// to the hub's origin only, never to the CDN a large file is redirected to.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/error.h"
#include "hub/hub_env.h"
#include "hub/repo_id.h"
#include "hub/resolve.h"

namespace fs = std::filesystem;

namespace hfx::test {
namespace {

std::string error_of(const std::string& model) {
    try {
        hub::resolve_model(model);
    } catch (const Error& e) {
        std::string msg = e.what();
        EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
        return msg;
    }
    ADD_FAILURE() << model << " resolved";
    return "";
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST_F(HubTest, TokenGoesToTheEndpointOnly) {
    FakeRepo repo;
    repo.refs["main"] = main_commit;
    repo.commits[main_commit] = tiny_bert_files();
    repo.token = "hf_secret";
    hub.add_repo("org/private", repo);

    std::string msg = error_of("org/private");
    EXPECT_TRUE(has(msg, "model 'org/private': access denied")) << msg;
    EXPECT_TRUE(has(msg, "HTTP 401")) << msg;
    EXPECT_TRUE(has(msg, "no HF_TOKEN set")) << msg;

    ::setenv("HF_TOKEN", "hf_secret", 1);
    hub.clear_requests();
    hub::resolve_model("org/private");
    size_t cdn = 0;
    for (const LoggedRequest& r : hub.requests()) {
        if (r.server == "hub") EXPECT_EQ(r.authorization, "Bearer hf_secret") << r.method << " " << r.target;
        if (r.server == "cdn") {
            EXPECT_EQ(r.authorization, "") << r.target;
            ++cdn;
        }
    }
    EXPECT_EQ(cdn, 1u);

    ::setenv("HF_TOKEN", "hf_wrong", 1);
    fs::remove_all(cache);
    msg = error_of("org/private");
    EXPECT_TRUE(has(msg, "access denied")) << msg;
    EXPECT_TRUE(has(msg, "with the HF_TOKEN given")) << msg;
}

TEST_F(HubTest, TokenFileIsReadWhenNoVariable) {
    FakeRepo repo;
    repo.refs["main"] = main_commit;
    repo.commits[main_commit] = tiny_bert_files();
    repo.token = "hf_from_file";
    hub.add_repo("org/private", repo);
    fs::create_directories(tmp.path + "/hf-home");
    std::ofstream(tmp.path + "/hf-home/token") << "hf_from_file\n";
    EXPECT_NO_THROW(hub::resolve_model("org/private"));
}

TEST_F(HubTest, MissingRepoRevisionAndFileAreNamed) {
    std::string msg = error_of("org/nope");
    EXPECT_TRUE(has(msg, "model 'org/nope': repository not found on " + hub.endpoint())) << msg;
    EXPECT_TRUE(has(msg, "HTTP 404")) << msg;

    msg = error_of("org/tiny-bert@no-such-branch");
    EXPECT_TRUE(has(msg, "model 'org/tiny-bert@no-such-branch': revision 'no-such-branch' not found")) << msg;

    FakeRepo no_config;
    no_config.refs["main"] = main_commit;
    no_config.commits[main_commit] = {{"model.safetensors", tiny_bert_files()["model.safetensors"]}};
    hub.add_repo("org/no-config", no_config);
    msg = error_of("org/no-config");
    EXPECT_TRUE(has(msg, "model 'org/no-config': the repository has no 'config.json' at revision 'main'")) << msg;

    FakeRepo no_weights;
    no_weights.refs["main"] = main_commit;
    no_weights.commits[main_commit] = {{"config.json", tiny_bert_files()["config.json"]}};
    hub.add_repo("org/no-weights", no_weights);
    msg = error_of("org/no-weights");
    EXPECT_TRUE(has(msg, "the repository has no 'model.safetensors'")) << msg;

    // Listed by the API, gone on resolve: the 404 of the file itself.
    FakeRepo gone = no_weights;
    gone.listed_only = {"model.safetensors"};
    hub.add_repo("org/gone", gone);
    msg = error_of("org/gone");
    EXPECT_TRUE(has(msg, "model 'org/gone': file 'model.safetensors' not found at revision 'main'")) << msg;
    EXPECT_TRUE(has(msg, "/org/gone/resolve/" + main_commit + "/model.safetensors")) << msg;
    EXPECT_FALSE(fs::exists(repo_dir("models--org--gone") + "/snapshots/" + main_commit + "/model.safetensors"));
}

TEST_F(HubTest, UnreachableHubFallsBackToTheCache) {
    std::string snap = hub::resolve_model("org/tiny-bert");
    ::setenv("HF_ENDPOINT", "http://127.0.0.1:1", 1);  // nothing listens on port 1
    EXPECT_EQ(hub::resolve_model("org/tiny-bert"), snap);
    std::string msg = error_of("org/other");
    EXPECT_TRUE(has(msg, "model 'org/other': cannot reach the hub and 'config.json' is not in the cache")) << msg;
}

TEST(HubIds, ParseAsHuggingFaceHubValidatesThem) {
    auto id = hub::parse_model_id("org/name@v1.0");
    ASSERT_TRUE(id);
    EXPECT_EQ(id->repo, "org/name");
    EXPECT_EQ(id->revision, "v1.0");
    EXPECT_EQ(hub::parse_model_id("bert-base-uncased")->revision, "main");
    EXPECT_EQ(hub::parse_model_id("org/name@refs/pr/1")->revision, "refs/pr/1");
    for (const char* bad :
         {"a/b/c", "/abs/path", "./rel", "org--x/y", "a..b", "-lead/x", "x/name.git", "org/na me", "org/x@", ""})
        EXPECT_FALSE(hub::parse_model_id(bad)) << bad;
    EXPECT_TRUE(hub::is_commit_hash(std::string(40, 'a')));
    EXPECT_FALSE(hub::is_commit_hash(std::string(40, 'A')));
}

}  // namespace
}  // namespace hfx::test
