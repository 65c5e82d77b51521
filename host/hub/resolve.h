// `--model` as the commands take it: a folder or file that exists is used as it is; otherwise an
// ORG/NAME[@REVISION] (or NAME) is looked up in the Hugging Face cache and what is missing is
// downloaded (unless HF_HUB_OFFLINE=1), and the snapshot folder is returned. Only what an export
// reads is fetched: config.json, the weights in the preferred format (every shard of an index)
// and the tokenizer / processor / generation files the repo has. Errors are one line naming the
// model (and the file), thrown before anything is written to an output folder.
#pragma once
#include <string>

#include "hub/repo_id.h"

namespace hfx::hub {

std::string resolve_model(const std::string& model);

// The snapshot folder of a hub id (the steps above, without the local-path check).
std::string resolve_hub_model(const ModelId& id);

}  // namespace hfx::hub
