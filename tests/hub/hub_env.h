// One fake hub and an empty Hugging Face cache per test, the environment pointing at both.
#pragma once
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "hub/fake_hub.h"
#include "support/golden.h"

namespace hfx::test {

inline std::string read_file(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Commits look like the hub's: 40 hex digits.
inline std::string commit_id(const std::string& seed) { return FakeHub::git_etag("commit " + seed); }

// org/tiny-bert: the bert masked-lm fixture with tokenizer files beside it, and files an export
// does not read (a second weights format, the model card).
inline std::map<std::string, std::string> tiny_bert_files() {
    std::string fx = std::string(HFX_FIXTURES_DIR) + "/bert/masked-lm/";
    return {{"config.json", read_file(fx + "config.json")},
            {"model.safetensors", read_file(fx + "model.safetensors")},
            {"pytorch_model.bin", read_file(fx + "pytorch_model.bin")},
            {"generation_config.json", read_file(fx + "generation_config.json")},
            {"vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n"},
            {"tokenizer_config.json", R"({"do_lower_case": true, "tokenizer_class": "BertTokenizer"})"},
            {"README.md", "# tiny bert\n"},
            {".gitattributes", "*.safetensors filter=lfs diff=lfs merge=lfs -text\n"}};
}

class HubTest : public ::testing::Test {
protected:
    void SetUp() override {
        for (const char* v : {"HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN",
                              "HUGGINGFACE_HUB_CACHE", "HF_TOKEN_PATH"})
            ::unsetenv(v);
        cache = tmp.path + "/hub";
        ::setenv("HF_HOME", (tmp.path + "/hf-home").c_str(), 1);
        ::setenv("HF_HUB_CACHE", cache.c_str(), 1);
        ::setenv("HF_ENDPOINT", hub.endpoint().c_str(), 1);
        FakeRepo repo;
        repo.refs["main"] = main_commit;
        repo.commits[main_commit] = tiny_bert_files();
        hub.add_repo("org/tiny-bert", repo);
    }
    void TearDown() override {
        for (const char* v : {"HF_HOME", "HF_HUB_CACHE", "HF_ENDPOINT", "HF_HUB_OFFLINE", "HF_TOKEN"}) ::unsetenv(v);
    }
    std::string repo_dir(const std::string& name = "models--org--tiny-bert") const { return cache + "/" + name; }
    size_t count(const std::string& server, const std::string& method = "") const {
        size_t n = 0;
        for (const LoggedRequest& r : hub.requests()) n += r.server == server && (method.empty() || r.method == method);
        return n;
    }

    TempDir tmp;
    std::string cache;
    FakeHub hub;
    const std::string main_commit = commit_id("main");
};

}  // namespace hfx::test
