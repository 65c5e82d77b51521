// Where the Hugging Face cache is and how to reach the hub, read from the environment the same
// way huggingface_hub's constants.py does, so hfexport and Python tools share one cache.
#pragma once
#include <string>

namespace hfx::hub {

// HF_HUB_CACHE, else HUGGINGFACE_HUB_CACHE (legacy), else HF_HOME/hub, else
// $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub ("~" expanded).
std::string cache_root();

// HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE) set to 1 / ON / YES / TRUE, any case.
bool offline_mode();

// HF_ENDPOINT without trailing slashes; https://huggingface.co when unset.
std::string endpoint();

// HF_TOKEN, else HUGGING_FACE_HUB_TOKEN, else the token file (HF_TOKEN_PATH, else HF_HOME/token);
// empty when there is none.
std::string token();

}  // namespace hfx::hub
