#include "validate/ort_oracle.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "checkpoint/safetensors_write.h"
#include "core/error.h"

namespace fs = std::filesystem;

namespace hfx {
namespace {

std::string find_on_path(const std::string& exe) {
    const char* path = std::getenv("PATH");
    std::string s = path ? path : "/usr/bin:/bin";
    size_t start = 0;
    while (start <= s.size()) {
        size_t end = s.find(':', start);
        if (end == std::string::npos) end = s.size();
        fs::path p = fs::path(s.substr(start, end - start)) / exe;
        if (::access(p.c_str(), X_OK) == 0) return p.string();
        start = end + 1;
    }
    return "";
}

std::string quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

}  // namespace

std::optional<OrtOracle> find_ort() {
    OrtOracle o;
    o.node = find_on_path("node");
    if (o.node.empty()) return std::nullopt;
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    for (fs::path p : {exe.parent_path().parent_path() / "share" / "hfexport" / "ort" / "ort_run.js",
                       fs::path(HFX_SOURCE_DIR) / "share" / "ort" / "ort_run.js"})
        if (fs::exists(p, ec)) {
            o.script = p.string();
            break;
        }
    if (o.script.empty()) return std::nullopt;
    std::vector<fs::path> candidates;
    if (const char* env = std::getenv("HFEXPORT_ORT_NODE_MODULES")) candidates.emplace_back(env);
    candidates.push_back(fs::path(o.script).parent_path() / "node_modules");
    candidates.push_back(fs::path(HFX_BINARY_DIR) / "ort" / "node_modules");
    for (const fs::path& c : candidates)
        if (fs::exists(c / "onnxruntime-node", ec)) {
            o.node_modules = c.string();
            return o;
        }
    return std::nullopt;
}

std::map<std::string, Tensor> ort_run(const OrtOracle& ort, const std::string& model_path,
                                      const std::map<std::string, Tensor>& inputs, int threads) {
    char tmpl[] = "/tmp/hfx-ort-XXXXXX";
    if (!::mkdtemp(tmpl)) fail("onnxruntime: cannot create a temporary folder");
    fs::path dir = tmpl;
    struct Cleanup {
        fs::path d;
        ~Cleanup() {
            std::error_code ec;
            fs::remove_all(d, ec);
        }
    } cleanup{dir};
    std::vector<std::pair<std::string, Tensor>> list(inputs.begin(), inputs.end());
    write_safetensors((dir / "in.safetensors").string(), list);
    std::string cmd = "HFEXPORT_ORT_NODE_MODULES=" + quote(ort.node_modules) + " " + quote(ort.node) + " " +
                      quote(ort.script) + " " + quote(model_path) + " " + quote((dir / "in.safetensors").string()) +
                      " " + quote((dir / "out.safetensors").string()) + " --threads " + std::to_string(threads) +
                      " 2>&1";
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (!pipe) fail("onnxruntime: cannot start node");
    std::string output;
    std::array<char, 512> buf{};
    while (size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) output.append(buf.data(), n);
    int status = ::pclose(pipe);
    if (status != 0) {
        while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.pop_back();
        if (auto nl = output.rfind('\n'); nl != std::string::npos) output = output.substr(nl + 1);
        fail("onnxruntime: ", output.empty() ? "failed" : output);
    }
    std::map<std::string, Tensor> out;
    for (auto& [name, t] : read_safetensors((dir / "out.safetensors").string())) out[name] = t.clone();
    return out;
}

}  // namespace hfx
