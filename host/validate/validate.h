// Validation of a written ONNX file, as transformers.onnx validate_model_outputs
// does it, but never comparing a file with itself: the written file runs (in
// our runtime, and in ONNX Runtime when found) at sizes unlike the build's,
// against an eager evaluation of the plugin's graph on the checkpoint tensors
// (before lowering and serialisation), and against a reference-outputs file
// when one is given. Prints the seeds' `-[✓]` / `-[x]` log.
#pragma once
#include <ostream>
#include <string>

#include "core/ir.h"
#include "validate/dummy_inputs.h"

namespace hfx {

struct ValidationOptions {
    double atol = 1e-4;
    DimBindings dims = validation_dims();
    std::string reference_file;  // golden.safetensors-style inputs + outputs
    bool use_ort = true;         // when ONNX Runtime is found
    int threads = 0;
    // The graph of a split export ("encoder", "decoder", "decoder-with-past"):
    // the reference file is mapped onto its names (validate/reference_match.h),
    // and a file that cannot feed this graph is reported and skipped.
    std::string component;
    bool* reference_compared = nullptr;  // set to whether the reference file was compared
};

// The plugin's graph as the eager reference runs it: canonical ops at opset 17
// (axes as attributes, LayerNormalization), weights read as float32.
Model eager_form(const Model& built);

// `eager` is the plugin's graph before lowering; `onnx_path` the written file.
// Returns true when every comparison passed.
bool validate_export(const Model& eager, const std::string& onnx_path, const ValidationOptions& options,
                     std::ostream& log);

// The same for a written TorchScript file, run in libtorch: at options.dims and
// again at second_validation_dims() (other batch and sequence sizes, an empty
// past), since a module that only runs at one size is what tracing gives.
bool validate_torchscript(const Model& eager, const std::string& pt_path, const ValidationOptions& options,
                          std::ostream& log);

}  // namespace hfx
