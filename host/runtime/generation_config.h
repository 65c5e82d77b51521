// The generation settings of a model folder, read the way transformers 4.40.2
// reads them: generation_config.json when the folder has one, else the
// generation keys of config.json (GenerationConfig.from_model_config).
#pragma once
#include <string>

#include "runtime/greedy.h"

namespace hfx::rt {

// Sets the fields of `options` that the folder's file gives: eos_token_id (a
// list: the first, the rest in more_eos_token_ids), pad_token_id (else the
// first eos, as generate() does), decoder_start_token_id (else bos_token_id,
// as _get_decoder_start_token_id does), forced_bos_token_id,
// forced_eos_token_id, min_length, suppress_tokens, begin_suppress_tokens,
// forced_decoder_ids. Returns the file it read ("" when the folder has neither).
std::string read_generation_config(const std::string& dir, GenerateOptions& options);

}  // namespace hfx::rt
