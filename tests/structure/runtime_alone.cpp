// Built against hfx_runtime alone (no export/, validate/, checkpoint/ or plugins):
// loads an ONNX backend node case (model.onnx + test_data_set_0/*.pb) and checks
// the runtime's outputs against the expected ones. That it links proves the runtime
// does not depend on the exporter; that it passes proves it runs on its own.
//   hfx_runtime_alone CASE_DIR...
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "onnx/load.h"
#include "onnx/tensor.h"
#include "runtime/session.h"

namespace fs = std::filesystem;
using namespace hfx;

namespace {
int check(const std::string& dir) {
    rt::Session s(dir + "/model.onnx", rt::SessionOptions{1});
    std::map<std::string, Tensor> feeds;
    std::vector<std::string> inputs = s.input_names(), outputs = s.output_names();
    std::string data = dir + "/test_data_set_0";
    for (size_t i = 0; i < inputs.size(); ++i)
        feeds[inputs[i]] = load_tensor_pb(data + "/input_" + std::to_string(i) + ".pb");
    std::vector<Tensor> got = s.run({}, feeds);
    for (size_t i = 0; i < outputs.size(); ++i) {
        Tensor want = load_tensor_pb(data + "/output_" + std::to_string(i) + ".pb");
        if (got[i].shape != want.shape || got[i].dtype != DType::f32 || want.dtype != DType::f32) {
            std::printf("FAIL %s: output '%s' is %s, expected %s\n", dir.c_str(), outputs[i].c_str(),
                        shape_str(got[i].shape).c_str(), shape_str(want.shape).c_str());
            return 1;
        }
        for (int64_t k = 0; k < want.numel(); ++k) {
            float a = got[i].ptr<float>()[k], b = want.ptr<float>()[k];
            if (!(std::abs(a - b) <= 1e-4f + 1e-3f * std::abs(b))) {
                std::printf("FAIL %s: output '%s'[%lld] is %g, expected %g\n", dir.c_str(), outputs[i].c_str(),
                            (long long)k, a, b);
                return 1;
            }
        }
    }
    std::printf("ok %s (%zu steps)\n", fs::path(dir).filename().c_str(), s.planned_steps().size());
    return 0;
}
}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: hfx_runtime_alone CASE_DIR...\n");
        return 2;
    }
    int failed = 0;
    for (int i = 1; i < argc; ++i) {
        try {
            failed += check(argv[i]);
        } catch (const std::exception& e) {
            std::printf("FAIL %s: %s\n", argv[i], e.what());
            ++failed;
        }
    }
    return failed ? 1 : 0;
}
