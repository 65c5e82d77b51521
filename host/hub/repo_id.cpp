#include "hub/repo_id.h"

#include <cctype>

namespace hfx::hub {

namespace {

bool valid_part(const std::string& s) {
    if (s.empty()) return false;
    for (unsigned char c : s)
        if (!std::isalnum(c) && c != '-' && c != '_' && c != '.') return false;
    // \b at both ends of the regex: the first and last characters are word characters.
    auto word = [](unsigned char c) { return std::isalnum(c) || c == '_'; };
    return word(static_cast<unsigned char>(s.front())) && word(static_cast<unsigned char>(s.back()));
}

}  // namespace

std::string ModelId::display() const { return revision == "main" ? repo : repo + "@" + revision; }

std::optional<ModelId> parse_model_id(const std::string& text) {
    ModelId id;
    size_t at = text.find('@');
    id.repo = text.substr(0, at);
    if (at != std::string::npos) {
        id.revision = text.substr(at + 1);
        if (id.revision.empty() || id.revision.find("..") != std::string::npos || id.revision.front() == '/')
            return std::nullopt;
    }
    if (id.repo.size() > 96 || id.repo.find("--") != std::string::npos || id.repo.find("..") != std::string::npos)
        return std::nullopt;
    if (id.repo.size() >= 4 && id.repo.compare(id.repo.size() - 4, 4, ".git") == 0) return std::nullopt;
    size_t slash = id.repo.find('/');
    if (slash == std::string::npos) return valid_part(id.repo) ? std::optional(id) : std::nullopt;
    if (!valid_part(id.repo.substr(0, slash)) || !valid_part(id.repo.substr(slash + 1))) return std::nullopt;
    return id;
}

bool is_commit_hash(const std::string& revision) {
    if (revision.size() != 40) return false;
    for (char c : revision)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

}  // namespace hfx::hub
