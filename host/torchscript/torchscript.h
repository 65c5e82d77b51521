// TorchScript export and execution, through the libtorch backend that is
// loaded on first use (backend_abi.h says why it is a separate library).
//
//   write_torchscript(built.model, "out/model.pt", metadata);  // temp file + rename
//   TorchScriptModule m("out/model.pt");
//   auto outputs = m.run({{"input_ids", ids}, {"attention_mask", mask}});
//
// The file is a regular TorchScript archive: torch.jit.load("out/model.pt")
// in Python, or torch::jit::load in C++, returns a module whose forward takes
// the graph's inputs in order and returns a tuple of its outputs in order.
#pragma once
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/ir.h"

namespace hfx {

// The extra file in every .pt hfexport writes: {"inputs": [...], "outputs": [...], ...}.
inline constexpr const char* kTorchScriptMetadata = "hfexport.json";

// Whether the libtorch backend can be loaded; otherwise `why` says how to get it.
bool torchscript_available(std::string* why = nullptr);
std::string torchscript_torch_version();  // "1.13.1"; throws when unavailable

// Translates `model` (the plugin's canonical graph, weights as it holds them)
// and writes the module to `path`. `metadata` is stored beside the inputs and
// outputs in kTorchScriptMetadata. Nothing is left at `path` on failure.
void write_torchscript(const Model& model, const std::string& path, nlohmann::json metadata = nlohmann::json::object());

class TorchScriptModule {
public:
    explicit TorchScriptModule(const std::string& path);
    ~TorchScriptModule();
    TorchScriptModule(const TorchScriptModule&) = delete;
    TorchScriptModule& operator=(const TorchScriptModule&) = delete;

    const std::vector<std::string>& input_names() const { return inputs_; }
    const std::vector<std::string>& output_names() const { return outputs_; }
    const nlohmann::json& metadata() const { return metadata_; }

    // forward() on the inputs named in `feeds` (every input is required; others are ignored).
    std::map<std::string, Tensor> run(const std::map<std::string, Tensor>& feeds, int threads = 0);

private:
    std::string path_;
    void* handle_ = nullptr;
    std::vector<std::string> inputs_, outputs_;
    nlohmann::json metadata_;
};

}  // namespace hfx
