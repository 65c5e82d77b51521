// The host's safety net for config.json: every JSON pointer a plugin reads
// through the C table is recorded (graph/build.cpp, config_at); after the build
// the keys of config.json that no read touched, and that are not generic
// bookkeeping, are the ones the export may not honour.
#pragma once
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace hfx {

struct BuiltModel;

// True for keys that never change what the model computes: ids and token ids,
// labels, names, versions, dtypes, training-only and generation settings
// (the list, with its reasons, is in config_audit.cpp).
bool is_bookkeeping_key(const std::string& key, const nlohmann::json& value);

// Keys of `config` no pointer in `reads` touched, as paths ("foo", "text_config/bar").
// A nested object is looked into only when a read went inside it; an object read
// as a whole (has / size) counts as read.
std::vector<std::string> unread_config_keys(const nlohmann::json& config, const std::set<std::string>& reads);

// What counts as read for an export made of `builds` (every graph of it): their reads,
// the keys its model type's classes never use, and tie_word_embeddings when no graph has an LM head.
std::set<std::string> audited_reads(const std::vector<const BuiltModel*>& builds);

// The one-line report: "config.json: keys not read by plugin 'bert': foo, bar (...)";
// "" when every key was read.
std::string unread_keys_message(const nlohmann::json& config, const std::vector<const BuiltModel*>& builds);

// Warns with that line, or with `strict` throws it as the error (before anything is written).
void check_config_reads(const nlohmann::json& config, const std::vector<const BuiltModel*>& builds, bool strict);

}  // namespace hfx
