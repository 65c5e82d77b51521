#include "validate/reference_match.h"

namespace hfx {

namespace {

std::vector<std::string> input_candidates(const std::string& input, const std::string& component) {
    bool decoder = component == "decoder" || component == "decoder-with-past";
    if (decoder && input == "input_ids") return {"decoder_input_ids"};
    if (decoder && input == "encoder_hidden_states") return {"encoder_hidden_states", "encoder_last_hidden_state"};
    if (decoder && input == "encoder_attention_mask") return {"encoder_attention_mask", "attention_mask"};
    return {input};
}

std::string output_name(const std::string& output, const std::string& component) {
    if (component == "encoder" && output == "last_hidden_state") return "encoder_last_hidden_state";
    return output;
}

}  // namespace

std::optional<ReferenceMatch> match_reference(const std::map<std::string, Tensor>& file,
                                              const std::vector<std::string>& graph_inputs,
                                              const std::vector<std::string>& graph_outputs,
                                              const std::string& component, std::string* why) {
    auto refuse = [&](std::string reason) -> std::optional<ReferenceMatch> {
        if (why) *why = std::move(reason);
        return std::nullopt;
    };
    ReferenceMatch m;
    for (const std::string& in : graph_inputs) {
        for (const std::string& name : input_candidates(in, component))
            if (file.count(name)) {
                m.feeds[in] = file.at(name);
                break;
            }
        if (!m.feeds.count(in)) return refuse("no tensor for input '" + in + "'");
    }
    for (const auto& [name, t] : file)
        if (name.rfind("past_key_values.", 0) == 0 && !m.feeds.count(name))
            return refuse("the file holds '" + name + "', which the graph does not take");
    for (const std::string& out : graph_outputs) {
        std::string name = output_name(out, component);
        if (file.count(name)) m.output_names[out] = name;
    }
    if (m.output_names.empty()) return refuse("none of the graph's outputs is in the file");
    return m;
}

}  // namespace hfx
