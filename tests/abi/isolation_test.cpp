// Plugin isolation: a plugin that crashes, aborts, calls exit() or hangs while loading,
// registering or building is reported in one line naming its file, and the host keeps working.
// Also: descriptors checked field by field, names checked against files, and an ABI 1.0 plugin.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "checkpoint/checkpoint.h"
#include "core/error.h"
#include "export/exporter.h"
#include "plugins/registry.h"
#include "support/cli_run.h"
#include "support/golden.h"

namespace hfx::test {
namespace {

namespace fs = std::filesystem;

std::string faulty(const std::string& name) { return std::string(HFX_FAULTY_PLUGIN_DIR) + "/libhfx_" + name + ".so"; }

// A fresh verdict cache and a short time limit for the hanging plugins.
struct IsolatedEnv {
    TempDir cache;
    IsolatedEnv() {
        ::setenv("HFEXPORT_CACHE_DIR", cache.path.c_str(), 1);
        ::setenv("HFEXPORT_PLUGIN_TIMEOUT", "2", 1);
    }
    ~IsolatedEnv() {
        ::unsetenv("HFEXPORT_CACHE_DIR");
        ::unsetenv("HFEXPORT_PLUGIN_TIMEOUT");
    }
    std::string env_prefix() const { return "HFEXPORT_CACHE_DIR=" + cache.path + " HFEXPORT_PLUGIN_TIMEOUT=2 "; }
};

std::string problem_for(const PluginRegistry& r, const std::string& file) {
    for (const auto& p : r.problems())
        if (p.find("'" + file + "'") != std::string::npos) return p;
    return "";
}

// A checkpoint folder whose config names `model_type` (weights: BERT's, unused by these plugins).
std::string checkpoint_of(const TempDir& dir, const std::string& model_type) {
    std::ofstream(dir.path + "/config.json") << R"({"model_type": ")" << model_type << R"("})";
    fs::copy_file(std::string(HFX_FIXTURES_DIR) + "/bert/default/model.safetensors", dir.path + "/model.safetensors");
    return dir.path;
}

TEST(PluginIsolation, FaultsWhileLoadingOrRegisteringAreSkipped) {
    IsolatedEnv env;
    PluginRegistry r;
    r.load_dir(HFX_PLUGIN_BUILD_DIR);
    r.load_dir(HFX_FAULTY_PLUGIN_DIR);
    struct Case {
        const char* file;
        const char* says;
    } cases[] = {
        {"crash_register", "crashed (signal 11, Segmentation fault) while loading or registering; skipped"},
        {"crash_constructor", "crashed (signal 11, Segmentation fault) while loading or registering; skipped"},
        {"abort_entry", "crashed (signal 6, Aborted) while loading or registering; skipped"},
        {"exit_register", "called exit(3) while loading or registering; skipped"},
        {"hang_register", "did not finish within 2 s (HFEXPORT_PLUGIN_TIMEOUT) while loading or registering; skipped"},
    };
    for (const auto& c : cases) {
        std::string p = problem_for(r, faulty(c.file));
        EXPECT_NE(p.find(c.says), std::string::npos) << c.file << ": " << p;
        EXPECT_EQ(p.find('\n'), std::string::npos) << p;
    }
    EXPECT_NE(r.find("build-crashes"), nullptr);  // the neighbours still load
    Checkpoint ckpt = Checkpoint::open(std::string(HFX_FIXTURES_DIR) + "/bert/default");
    EXPECT_NO_THROW(build_model(r, ckpt, "default"));
}

TEST(PluginIsolation, VerdictsAreCachedByFile) {
    IsolatedEnv env;
    {
        PluginRegistry first;
        first.load_file(faulty("hang_register"));
    }
    auto t0 = std::chrono::steady_clock::now();
    PluginRegistry second;
    EXPECT_FALSE(second.load_file(faulty("hang_register")));
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_LT(s, 1.0) << "the cached verdict should skip the 2 s probe";
    EXPECT_NE(problem_for(second, faulty("hang_register")).find("did not finish within 2 s"), std::string::npos);
    EXPECT_TRUE(fs::exists(env.cache.path + "/plugin-probes.json"));
}

TEST(PluginIsolation, FaultsWhileBuildingFailTheExportOnly) {
    IsolatedEnv env;
    PluginRegistry r;
    r.load_dir(HFX_PLUGIN_BUILD_DIR);
    r.load_file(faulty("faulty_build"));
    struct Case {
        const char* type;
        const char* says;
    } cases[] = {
        {"build-crashes", "crashed (signal 11, Segmentation fault) while building the graph"},
        {"build-exits", "called exit(4) while building the graph"},
        {"build-hangs", "did not finish within 2 s (HFEXPORT_PLUGIN_TIMEOUT) while building the graph"},
    };
    for (const auto& c : cases) {
        TempDir dir;
        Checkpoint ckpt = Checkpoint::open(checkpoint_of(dir, c.type));
        try {
            build_model(r, ckpt, "default");
            ADD_FAILURE() << c.type << ": expected an error";
        } catch (const Error& e) {
            std::string m = e.what();
            EXPECT_NE(m.find("plugin '" + faulty("faulty_build") + "': model type '" + c.type + "' " + c.says),
                      std::string::npos)
                << m;
        }
    }
    Checkpoint bert = Checkpoint::open(std::string(HFX_FIXTURES_DIR) + "/bert/default");
    EXPECT_NO_THROW(build_model(r, bert, "default"));  // the host is still fine
}

TEST(PluginIsolation, CliExportOfACrashingBuildIsOneLineAndLeavesNothing) {
    IsolatedEnv env;
    TempDir dir, out;
    checkpoint_of(dir, "build-crashes");
    std::string cmd = env.env_prefix() + HFX_EXE + " --plugin-dir " + HFX_FAULTY_PLUGIN_DIR + " export --model " +
                      dir.path + " --feature default " + out.path + "/onnx 2>" + out.path + "/err";
    int status = std::system(cmd.c_str());
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 4) << status;  // a plugin error (README.md, "Exit codes")
    std::ifstream in(out.path + "/err");
    std::string last, line;
    while (std::getline(in, line)) last = line;
    EXPECT_NE(last.find("model type 'build-crashes' crashed (signal 11"), std::string::npos) << last;
    EXPECT_FALSE(fs::exists(out.path + "/onnx/model.onnx"));
}

TEST(PluginDescriptors, NullFeatureTableIsRejected) {
    IsolatedEnv env;
    PluginRegistry r;
    EXPECT_FALSE(r.load_file(std::string(HFX_BROKEN_PLUGIN_DIR) + "/libhfx_null_features.so"));
    ASSERT_EQ(r.problems().size(), 1u);
    EXPECT_NE(r.problems()[0].find("model type 'null-features': features is NULL but num_features is 2; skipped"),
              std::string::npos)
        << r.problems()[0];
    EXPECT_EQ(r.find("null-features"), nullptr);
}

TEST(PluginDescriptors, NameMustMatchTheFile) {
    IsolatedEnv env;
    PluginRegistry r;
    EXPECT_FALSE(r.load_file(std::string(HFX_BROKEN_PLUGIN_DIR) + "/libhfx_misnamed.so"));
    ASSERT_EQ(r.problems().size(), 1u);
    EXPECT_NE(r.problems()[0].find("declares the name 'bert-tools', which its file name does not carry; skipped"),
              std::string::npos)
        << r.problems()[0];
}

// A C plugin compiled against the ABI 1.0 header loads in this host and its export validates.
TEST(PluginAbiVersions, PluginBuiltForAbi10LoadsAndExports) {
    IsolatedEnv env;
    TempDir dir, out;
    std::ofstream(dir.path + "/config.json") << R"({"model_type": "abi-1-0"})";
    {
        std::string header = R"({"scale":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
        while (header.size() % 8) header += ' ';
        uint64_t n = header.size();
        float scale = 0.5f;
        std::ofstream f(dir.path + "/model.safetensors", std::ios::binary);
        f.write(reinterpret_cast<const char*>(&n), 8);
        f << header;
        f.write(reinterpret_cast<const char*>(&scale), 4);
    }
    CliResult r = run_cli("--plugin-dir " + std::string(HFX_ABI_1_0_PLUGIN_DIR) + " export --no-ort --model " +
                          dir.path + " --feature default " + out.path + "/onnx");
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("All good"), std::string::npos) << r.out << r.err;
    EXPECT_TRUE(fs::exists(out.path + "/onnx/model.onnx"));
}

}  // namespace
}  // namespace hfx::test
