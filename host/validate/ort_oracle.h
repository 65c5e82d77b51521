// ONNX Runtime as an independent oracle: runs share/ort/ort_run.js under node
// with onnxruntime-node (npm), exchanging tensors as safetensors files.
#pragma once
#include <map>
#include <optional>
#include <string>

#include "core/tensor.h"

namespace hfx {

struct OrtOracle {
    std::string node;          // node executable
    std::string script;        // ort_run.js
    std::string node_modules;  // folder holding onnxruntime-node
};

// Found when node, the script and onnxruntime-node are all present (looked up
// in HFEXPORT_ORT_NODE_MODULES, next to the script, and in the build tree).
std::optional<OrtOracle> find_ort();

// Runs `model_path` on `inputs` in ONNX Runtime; throws "onnxruntime: <message>".
std::map<std::string, Tensor> ort_run(const OrtOracle& ort, const std::string& model_path,
                                      const std::map<std::string, Tensor>& inputs, int threads = 1);

}  // namespace hfx
