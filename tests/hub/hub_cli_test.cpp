// `hfexport export --model org/name` against the local hub writes the same model.onnx as the
// export of the checkpoint folder; a model the hub does not have is an error with no output.
#include <gtest/gtest.h>

#include <filesystem>

#include "hub/hub_env.h"
#include "support/cli_run.h"

namespace fs = std::filesystem;

namespace hfx::test {
namespace {

TEST_F(HubTest, ExportFromHubIdEqualsExportOfTheFolder) {
    std::string folder = tmp.path + "/folder";
    fs::create_directories(folder);
    for (const auto& [name, bytes] : tiny_bert_files()) std::ofstream(folder + "/" + name, std::ios::binary) << bytes;
    CliResult a = run_cli("export --no-ort --task fill-mask --model org/tiny-bert " + tmp.path + "/from-hub");
    ASSERT_EQ(a.code, 0) << a.err;
    CliResult b = run_cli("export --no-ort --task fill-mask --model " + folder + " " + tmp.path + "/from-folder");
    ASSERT_EQ(b.code, 0) << b.err;
    std::string onnx = read_file(tmp.path + "/from-hub/model.onnx");
    EXPECT_FALSE(onnx.empty());
    EXPECT_EQ(onnx, read_file(tmp.path + "/from-folder/model.onnx"));
    for (const char* side : {"config.json", "vocab.txt", "tokenizer_config.json", "generation_config.json"})
        EXPECT_EQ(read_file(tmp.path + "/from-hub/" + side), read_file(folder + "/" + side)) << side;
    // Run again: the cache is warm, only the API call goes out.
    hub.clear_requests();
    CliResult c =
        run_cli("export --no-ort --no-validate --task fill-mask --model org/tiny-bert " + tmp.path + "/again");
    ASSERT_EQ(c.code, 0) << c.err;
    EXPECT_EQ(hub.requests().size(), 1u);
    // Offline: no request at all, same file.
    ::setenv("HF_HUB_OFFLINE", "1", 1);
    hub.clear_requests();
    CliResult d =
        run_cli("export --no-ort --no-validate --task fill-mask --model org/tiny-bert " + tmp.path + "/offline");
    ASSERT_EQ(d.code, 0) << d.err;
    EXPECT_TRUE(hub.requests().empty());
    EXPECT_EQ(read_file(tmp.path + "/offline/model.onnx"), onnx);
}

TEST_F(HubTest, MissingModelIsOneLineErrorAndNoOutput) {
    CliResult r = run_cli("export --no-ort --model org/missing " + tmp.path + "/out");
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("model 'org/missing': repository not found"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(fs::exists(tmp.path + "/out"));

    ::setenv("HF_HUB_OFFLINE", "1", 1);
    r = run_cli("export --no-ort --model org/tiny-bert " + tmp.path + "/out");
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("model 'org/tiny-bert': 'config.json' is not in the Hugging Face cache"), std::string::npos)
        << r.err;
    EXPECT_FALSE(fs::exists(tmp.path + "/out"));
}

TEST_F(HubTest, ValidateTakesAHubId) {
    CliResult a = run_cli("export --no-ort --no-validate --task fill-mask --model org/tiny-bert " + tmp.path + "/out");
    ASSERT_EQ(a.code, 0) << a.err;
    CliResult v =
        run_cli("validate --no-ort --feature masked-lm --model org/tiny-bert " + tmp.path + "/out/model.onnx");
    EXPECT_EQ(v.code, 0) << v.err;
}

}  // namespace
}  // namespace hfx::test
