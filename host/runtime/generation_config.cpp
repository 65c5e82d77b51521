#include "runtime/generation_config.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace fs = std::filesystem;

namespace hfx::rt {
namespace {

using json = nlohmann::json;

bool has(const json& j, const char* key) { return j.contains(key) && !j[key].is_null(); }

int64_t token(const json& j, const std::string& file, const char* key) {
    if (!j[key].is_number_integer()) fail("config key '", key, "': expected a token id (", file, ")");
    return j[key].get<int64_t>();
}

std::vector<int64_t> tokens(const json& j, const std::string& file, const char* key) {
    if (j[key].is_number_integer()) return {j[key].get<int64_t>()};
    if (!j[key].is_array()) fail("config key '", key, "': expected a token id or a list of them (", file, ")");
    std::vector<int64_t> out;
    for (const json& t : j[key]) {
        if (!t.is_number_integer()) fail("config key '", key, "': expected a list of token ids (", file, ")");
        out.push_back(t.get<int64_t>());
    }
    return out;
}

}  // namespace

std::string read_generation_config(const std::string& dir, GenerateOptions& o) {
    ErrorArea area(ErrorKind::config);
    std::string file = (fs::path(dir) / "generation_config.json").string();
    if (!fs::is_regular_file(file)) file = (fs::path(dir) / "config.json").string();
    if (!fs::is_regular_file(file)) return "";
    json j;
    try {
        std::ifstream in(file);
        j = json::parse(in);
    } catch (const std::exception& e) {
        fail("file '", file, "': not valid JSON (", e.what(), ")");
    }
    if (!j.is_object()) fail("file '", file, "': expected a JSON object");

    std::vector<int64_t> eos;
    if (has(j, "eos_token_id")) eos = tokens(j, file, "eos_token_id");
    if (!eos.empty()) {
        o.eos_token_id = eos[0];
        o.more_eos_token_ids.assign(eos.begin() + 1, eos.end());
    }
    if (has(j, "pad_token_id")) o.pad_token_id = token(j, file, "pad_token_id");
    else if (!eos.empty()) o.pad_token_id = eos[0];
    if (has(j, "decoder_start_token_id")) {
        // A list (one start token per row, rarely used) is not supported; take the int.
        o.decoder_start_token_id = token(j, file, "decoder_start_token_id");
    } else if (has(j, "bos_token_id")) {
        o.decoder_start_token_id = token(j, file, "bos_token_id");
    }
    if (has(j, "forced_bos_token_id")) o.forced_bos_token_id = token(j, file, "forced_bos_token_id");
    if (has(j, "forced_eos_token_id")) {
        // A list forces the smallest of its ids (argmax over equal scores).
        std::vector<int64_t> forced = tokens(j, file, "forced_eos_token_id");
        if (!forced.empty()) o.forced_eos_token_id = *std::min_element(forced.begin(), forced.end());
    }
    if (has(j, "min_length")) o.min_length = token(j, file, "min_length");
    if (has(j, "suppress_tokens")) o.suppress_tokens = tokens(j, file, "suppress_tokens");
    if (has(j, "begin_suppress_tokens")) o.begin_suppress_tokens = tokens(j, file, "begin_suppress_tokens");
    if (has(j, "forced_decoder_ids")) {
        o.forced_decoder_ids.clear();
        for (const json& pair : j["forced_decoder_ids"]) {
            if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number_integer() ||
                !(pair[1].is_number_integer() || pair[1].is_null()))
                fail("config key 'forced_decoder_ids': expected a list of [index, token] pairs (", file, ")");
            // Whisper leaves the language slot empty (null): nothing forced there, but it still
            // counts for where the first free pick is.
            o.forced_decoder_ids.emplace_back(pair[0].get<int64_t>(), pair[1].is_null() ? -1 : pair[1].get<int64_t>());
        }
    }
    return file;
}

}  // namespace hfx::rt
