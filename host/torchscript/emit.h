// The plugins' graph as TorchScript source: the translator behind
// `--format torchscript`. It needs no libtorch (torchscript/module.cpp compiles
// the text); one graph feeds both formats, so no plugin writes TorchScript.
//
//   TorchScriptProgram p = emit_torchscript(built.model);
//   p.source      // def forward(self, input_ids: Tensor, ...) -> Tuple[Tensor, ...]: ...
//   p.attributes  // the initializers, by where they live in the module tree
//
// Every value is a Tensor, shapes are computed at run time (Shape, Gather,
// Concat ... run as tensor ops), so the module has no fixed sizes. Ops follow
// ONNX semantics at opset 17, the plugins' canonical form; ops with no direct
// torch equivalent call small helper methods emitted with the module.
#pragma once
#include <string>
#include <vector>

#include "core/ir.h"

namespace hfx {

struct TorchScriptAttribute {
    std::string initializer;        // the graph's name for it
    std::vector<std::string> path;  // submodules then the attribute: {"bert", "pooler", "dense", "weight"}
};

struct TorchScriptProgram {
    std::string source;                       // forward() and the helpers it calls
    std::vector<std::string> input_names;     // the graph's input names, forward's argument order
    std::vector<std::string> argument_names;  // forward's argument names (identifiers)
    std::vector<std::string> output_names;    // the returned tuple's order
    std::vector<TorchScriptAttribute> attributes;
};

// Checkpoint weights keep their Hugging Face names as module paths
// ("bert.pooler.dense.weight"); constants the plugin made live under
// "constants.<name>". Throws hfx::Error naming the node of an op it cannot translate.
TorchScriptProgram emit_torchscript(const Model& model);

// The ops emit_torchscript translates.
std::vector<std::string> torchscript_ops();

}  // namespace hfx
