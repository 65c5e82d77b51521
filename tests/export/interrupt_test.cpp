// An export that cannot finish leaves nothing in the output folder: a full
// disk (here RLIMIT_FSIZE, which fails writes with EFBIG as ENOSPC would, no
// root or mount needed) on the model, on one of --split's files; and SIGTERM
// in the middle of writing a large model. Every file of the export is written
// under a temporary name (core/staged_files.h) and renamed only at the end.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/golden.h"

namespace fs = std::filesystem;

namespace hfx::test {
namespace {

const std::string kFixtures = HFX_FIXTURES_DIR;

struct Child {
    pid_t pid = -1;
    std::string out, err;
};

// Starts `hfexport args...` with stdout / stderr in files of `dir`; with
// `fsize_limit` > 0 no file it writes may grow past that many bytes.
Child start(const std::vector<std::string>& args, const std::string& dir, rlim_t fsize_limit = 0) {
    Child c{-1, dir + "/stdout", dir + "/stderr"};
    c.pid = ::fork();
    if (c.pid == 0) {
        if (!std::freopen(c.out.c_str(), "w", stdout) || !std::freopen(c.err.c_str(), "w", stderr)) ::_exit(127);
        if (fsize_limit) {
            ::signal(SIGXFSZ, SIG_IGN);  // then write() fails with EFBIG instead of killing the process
            rlimit r{fsize_limit, fsize_limit};
            ::setrlimit(RLIMIT_FSIZE, &r);
        }
        std::vector<char*> argv{const_cast<char*>(HFX_EXE)};
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(HFX_EXE, argv.data());
        ::_exit(127);
    }
    return c;
}

int wait_for(const Child& c) {
    int status = 0;
    ::waitpid(c.pid, &status, 0);
    return status;
}

std::string slurp(const std::string& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> listing(const std::string& dir) {
    std::vector<std::string> names;
    std::error_code ec;
    if (fs::exists(dir, ec))
        for (auto& p : fs::directory_iterator(dir)) names.push_back(p.path().filename().string());
    return names;
}

TEST(Interrupt, FullDiskOnTheModelLeavesNothing) {
    TempDir dir;
    std::string out = dir.path + "/out";
    Child c = start(
        {"export", "--model", kFixtures + "/bert/sequence-classification", "--feature", "sequence-classification", out},
        dir.path, 32 * 1024);  // model.onnx is ~110 kB
    int status = wait_for(c);
    ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
    EXPECT_EQ(WEXITSTATUS(status), 1);
    std::string err = slurp(c.err);
    EXPECT_EQ(err, "error: output '" + out + "/model.onnx': cannot write (File too large)\n");
    EXPECT_EQ(listing(out), std::vector<std::string>{});
}

// The encoder (113 kB) fits under the limit, the decoder (159 kB, with the LM head) does not:
// before, encoder_model.onnx and config.json stayed and the error said only
// "protobuf serialisation failed".
TEST(Interrupt, FullDiskOnOneSplitFileLeavesNone) {
    TempDir dir;
    std::string out = dir.path + "/out";
    Child c = start(
        {"export", "--model", kFixtures + "/t5/seq2seq-lm", "--feature", "seq2seq-lm", "--split", "--no-validate", out},
        dir.path, HFX_SPLIT_FSIZE_LIMIT);
    int status = wait_for(c);
    ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
    EXPECT_EQ(WEXITSTATUS(status), 1);
    EXPECT_EQ(slurp(c.err), "error: output '" + out + "/decoder_model.onnx': cannot write (File too large)\n");
    EXPECT_EQ(listing(out), std::vector<std::string>{});
}

#ifdef HFX_MAKE_CHECKPOINT
// SIGTERM, then Ctrl-C (SIGINT), while model.onnx is being written (a 245 MB
// model): the process ends by the signal and the temporary file is removed.
TEST(Interrupt, SignalMidWriteRemovesTemporaries) {
    TempDir dir;
    std::string ckpt = dir.path + "/big";
    std::string make = std::string(HFX_MAKE_CHECKPOINT) + " --arch bert --out " + ckpt +
                       " --layers 4 --hidden 1024 --heads 16 --intermediate 4096 --vocab 30522 >/dev/null";
    ASSERT_EQ(std::system(make.c_str()), 0);
    for (int sig : {SIGTERM, SIGINT}) {
        std::string out = dir.path + "/out" + std::to_string(sig);
        Child c =
            start({"export", "--model", ckpt, "--feature", "sequence-classification", "--no-validate", out}, dir.path);
        bool seen = false;
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
        while (!seen && std::chrono::steady_clock::now() < deadline) {
            for (const auto& name : listing(out)) {
                std::error_code ec;
                if (name.find(".tmp-") != std::string::npos && fs::file_size(out + "/" + name, ec) > (1u << 20))
                    seen = true;
            }
            int status = 0;
            if (!seen && ::waitpid(c.pid, &status, WNOHANG) == c.pid)
                FAIL() << "export ended before it was interrupted";
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        ASSERT_TRUE(seen) << "no temporary file appeared";
        ::kill(c.pid, sig);
        int status = wait_for(c);
        ASSERT_TRUE(WIFSIGNALED(status)) << "exit code " << WEXITSTATUS(status);
        EXPECT_EQ(WTERMSIG(status), sig);
        EXPECT_EQ(listing(out), std::vector<std::string>{}) << "signal " << sig;
    }
}
#endif

}  // namespace
}  // namespace hfx::test
