// The pieces validation of either format shares: one `-[✓]` comparison block
// in the transformers.onnx format, and the reference-file step.
#pragma once
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "validate/validate.h"

namespace hfx {

using Outputs = std::map<std::string, Tensor>;

// Compares `got` with the reference `ref` on `names`; `kind` names what is
// validated ("ONNX model", "TorchScript module"). Returns true when all match.
bool compare_outputs(const std::string& title, const std::vector<std::string>& names, const Outputs& got,
                     const Outputs& ref, double atol, std::ostream& log, const std::string& kind = "ONNX model");

// "batch=3, sequence=9": the symbolic sizes `m`'s inputs use.
std::string dims_text(const DimBindings& dims, const Model& m);

Outputs to_map(const std::vector<std::string>& names, const std::vector<Tensor>& values);

// When options.reference_file is set: feeds its inputs to `run` and compares
// with its outputs (validate/reference_match.h maps the names). A file that
// cannot feed a split component is reported and skipped.
bool compare_with_reference_file(const ValidationOptions& options, const std::vector<std::string>& input_names,
                                 const std::vector<std::string>& output_names, const std::string& runner,
                                 const std::string& kind, std::ostream& log,
                                 const std::function<Outputs(const Outputs&)>& run);

}  // namespace hfx
