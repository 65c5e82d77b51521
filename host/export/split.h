// optimum's split layout of an encoder-decoder export: one file per graph,
//   encoder_model.onnx, decoder_model.onnx (+ decoder_with_past_model.onnx for
//   -with-past features), each built by the plugin for its component().
#pragma once
#include <ostream>
#include <string>
#include <vector>

#include "export/exporter.h"

namespace hfx {

struct ComponentExport {
    std::string component;  // "encoder", "decoder", "decoder-with-past"
    std::string path;       // the written .onnx (or .pt) file
    BuiltModel built;
};

// The components of `feature` in optimum's layout.
std::vector<std::string> split_components(const std::string& feature);
// "decoder-with-past" -> "decoder_with_past_model.onnx" (".pt" for TorchScript)
std::string component_file_name(const std::string& component, Format format = Format::onnx);

// Builds and writes every component of `feature` into the folder `out_dir`.
// Weights are stored once per file; those the files share (the embedding of
// encoder and decoder, ...) are listed in `log`.
std::vector<ComponentExport> export_split(const PluginRegistry& registry, const Checkpoint& ckpt,
                                          const std::string& feature, const std::string& out_dir,
                                          const ExportOptions& options, std::ostream& log);

}  // namespace hfx
