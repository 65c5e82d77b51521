// `ORG/NAME[@REVISION]` or `NAME[@REVISION]`: a model on the Hugging Face hub.
#pragma once
#include <optional>
#include <string>

namespace hfx::hub {

struct ModelId {
    std::string repo;               // "org/name" or "name"
    std::string revision = "main";  // branch, tag or commit hash
    std::string display() const;    // "org/name" or "org/name@rev"
};

// The id `text` names, or nothing when it is not one (huggingface_hub's validate_repo_id:
// one or two parts of letters, digits, '-', '_', '.', no "--" or "..", at most 96 characters).
std::optional<ModelId> parse_model_id(const std::string& text);

// A 40-hex commit hash (huggingface_hub's REGEX_COMMIT_HASH).
bool is_commit_hash(const std::string& revision);

}  // namespace hfx::hub
