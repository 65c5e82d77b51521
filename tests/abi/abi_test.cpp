// Plugins are untrusted neighbours: each broken one is reported in one line
// naming its file and skipped, and the host keeps working.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>

#include "checkpoint/checkpoint.h"
#include "core/error.h"
#include "export/exporter.h"
#include "plugins/registry.h"
#include "support/golden.h"

namespace hfx::test {
namespace {

std::string broken(const std::string& name) { return std::string(HFX_BROKEN_PLUGIN_DIR) + "/libhfx_" + name + ".so"; }

struct Loaded {
    PluginRegistry registry;
    Loaded() {
        registry.load_dir(HFX_PLUGIN_BUILD_DIR);
        registry.load_dir(HFX_BROKEN_PLUGIN_DIR);
    }
    std::string problem_for(const std::string& file) const {
        for (const auto& p : registry.problems())
            if (p.find("'" + file + "'") != std::string::npos) return p;
        return "";
    }
};

TEST(PluginAbi, WrongMajorIsSkipped) {
    Loaded l;
    EXPECT_NE(l.problem_for(broken("wrong_major")).find("built for SDK ABI 2.0"), std::string::npos)
        << l.problem_for(broken("wrong_major"));
}

TEST(PluginAbi, NewerMinorIsSkipped) {
    Loaded l;
    EXPECT_NE(l.problem_for(broken("newer_minor")).find("this host has 1."), std::string::npos);
}

TEST(PluginAbi, ThrowingRegistrationIsSkipped) {
    Loaded l;
    EXPECT_NE(l.problem_for(broken("throws")).find("boom while registering; skipped"), std::string::npos);
}

TEST(PluginAbi, UnloadableIsSkipped) {
    Loaded l;
    EXPECT_NE(l.problem_for(broken("unloadable")).find("cannot load"), std::string::npos);
}

TEST(PluginAbi, MissingEntryPointIsSkipped) {
    Loaded l;
    EXPECT_NE(l.problem_for(broken("no_entry")).find("no hfx_plugin_entry symbol"), std::string::npos);
}

TEST(PluginAbi, DuplicateModelTypeIsRefusedNamingBothFiles) {
    Loaded l;
    std::string p = l.problem_for(broken("duplicate"));
    EXPECT_NE(p.find("model type 'bert' is already registered by '"), std::string::npos) << p;
    EXPECT_NE(p.find("libhfx_bert.so"), std::string::npos) << p;
    EXPECT_NE(l.registry.find("bert")->plugin_file.find(HFX_PLUGIN_BUILD_DIR), std::string::npos);
}

TEST(PluginAbi, HostKeepsWorkingNextToBrokenPlugins) {
    Loaded l;
    for (const auto& p : l.registry.problems()) EXPECT_EQ(std::count(p.begin(), p.end(), '\n'), 0) << p;
    Checkpoint ckpt = Checkpoint::open(std::string(HFX_FIXTURES_DIR) + "/bert/default");
    EXPECT_NO_THROW(build_model(l.registry, ckpt, "default"));
}

TEST(PluginAbi, FailingBuildIsAnErrorNotACrash) {
    Loaded l;
    ASSERT_NE(l.registry.find("build-throws"), nullptr);
    TempDir dir;
    std::ofstream(dir.path + "/config.json") << R"({"model_type": "build-throws"})";
    std::filesystem::copy_file(std::string(HFX_FIXTURES_DIR) + "/bert/default/model.safetensors",
                               dir.path + "/model.safetensors");
    Checkpoint ckpt = Checkpoint::open(dir.path);
    try {
        build_model(l.registry, ckpt, "default");
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("tensor 'no.such.tensor'"), std::string::npos) << e.what();
    }
}

TEST(PluginAbi, CliReportsAndContinues) {
    TempDir tmp;
    std::string cmd = std::string(HFX_EXE) + " --plugin-dir " + HFX_BROKEN_PLUGIN_DIR + " features --json >" +
                      tmp.path + "/out 2>" + tmp.path + "/err";
    int status = std::system(cmd.c_str());
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    std::ifstream err(tmp.path + "/err");
    std::string text((std::istreambuf_iterator<char>(err)), {});
    EXPECT_NE(text.find("libhfx_wrong_major.so"), std::string::npos) << text;
    std::ifstream out(tmp.path + "/out");
    std::string json((std::istreambuf_iterator<char>(out)), {});
    EXPECT_NE(json.find("\"bert\""), std::string::npos) << json;
}

}  // namespace
}  // namespace hfx::test

namespace hfx::test {
namespace {

std::string run_features(const std::string& prefix_env, const std::string& args, const TempDir& tmp) {
    std::string cmd = prefix_env + " " + std::string(HFX_EXE) + " " + args + " features --json >" + tmp.path +
                      "/out 2>" + tmp.path + "/err";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::ifstream err(tmp.path + "/err");
    return std::string((std::istreambuf_iterator<char>(err)), {});
}

// Discovery: HFEXPORT_PLUGIN_PATH and the TOML config's [plugins] dirs are searched too.
TEST(PluginDiscovery, EnvironmentPath) {
    TempDir tmp;
    std::string err = run_features(std::string("HFEXPORT_PLUGIN_PATH=/nonexistent:") + HFX_BROKEN_PLUGIN_DIR, "", tmp);
    EXPECT_NE(err.find("libhfx_wrong_major.so"), std::string::npos) << err;
}

TEST(PluginDiscovery, TomlConfig) {
    TempDir tmp;
    std::ofstream(tmp.path + "/config.toml") << "[plugins]\ndirs = [\"" << HFX_BROKEN_PLUGIN_DIR << "\"]\n";
    std::string err = run_features("", "--config " + tmp.path + "/config.toml", tmp);
    EXPECT_NE(err.find("libhfx_wrong_major.so"), std::string::npos) << err;
}

TEST(PluginDiscovery, MalformedTomlIsAOneLineError) {
    TempDir tmp;
    std::ofstream(tmp.path + "/config.toml") << "[plugins\ndirs = 3\n";
    std::string cmd = std::string(HFX_EXE) + " --config " + tmp.path + "/config.toml features 2>" + tmp.path + "/err";
    int status = std::system(cmd.c_str());
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0);
    std::ifstream in(tmp.path + "/err");
    std::string err((std::istreambuf_iterator<char>(in)), {});
    EXPECT_NE(err.find("config '" + tmp.path + "/config.toml'"), std::string::npos) << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
}

}  // namespace
}  // namespace hfx::test
