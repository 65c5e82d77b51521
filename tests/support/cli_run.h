// Runs the hfexport executable as a user would and captures what it says.
#pragma once
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "support/golden.h"

namespace hfx::test {

struct CliResult {
    int code = -1;
    std::string out, err;
};

// `hfexport <args>`; stdout and stderr are captured separately. `env` is put before the command
// as the shell reads it ("NAME=value ").
inline CliResult run_cli(const std::string& args, const std::string& env = "") {
    TempDir tmp;
    std::string cmd = env + std::string(HFX_EXE) + " " + args + " >" + tmp.path + "/out 2>" + tmp.path + "/err";
    int status = std::system(cmd.c_str());
    auto slurp = [](const std::string& p) {
        std::ifstream in(p);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    return CliResult{WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(tmp.path + "/out"), slurp(tmp.path + "/err")};
}

}  // namespace hfx::test
