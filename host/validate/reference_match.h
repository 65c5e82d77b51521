// How a reference file (golden.safetensors: inputs and outputs computed by
// transformers) feeds one graph of an export. The single-file layout takes
// the file's names as they are; the graphs of optimum's split layout name a
// few things differently:
//   decoder graphs: input_ids <- decoder_input_ids,
//                   encoder_hidden_states <- encoder_hidden_states | encoder_last_hidden_state,
//                   encoder_attention_mask <- encoder_attention_mask | attention_mask
//   encoder graph:  output last_hidden_state <-> encoder_last_hidden_state
// A file that holds past_key_values.* only applies to a graph that takes them
// all (without them the graph computes something else).
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace hfx {

struct ReferenceMatch {
    std::map<std::string, Tensor> feeds;              // graph input -> tensor
    std::map<std::string, std::string> output_names;  // graph output -> name in the file (outputs the file holds)
};

// nullopt (with the reason in `why`) when the file cannot feed the graph.
std::optional<ReferenceMatch> match_reference(const std::map<std::string, Tensor>& file,
                                              const std::vector<std::string>& graph_inputs,
                                              const std::vector<std::string>& graph_outputs,
                                              const std::string& component, std::string* why = nullptr);

}  // namespace hfx
