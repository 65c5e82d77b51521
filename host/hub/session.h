// How to talk to the hub about one model: the endpoint, the token, and the one-line errors for
// the answers huggingface_hub turns into RepositoryNotFound / RevisionNotFound / EntryNotFound /
// GatedRepo errors.
#pragma once
#include <string>

#include "hub/http_client.h"
#include "hub/repo_id.h"

namespace hfx::hub {

struct HubSession {
    ModelId id;
    std::string endpoint, token;
    HttpClient http;

    // A request to the endpoint, carrying the token (which redirects elsewhere drop).
    HttpRequest request(const std::string& method, const std::string& url) const;
    // {endpoint}/{repo}/resolve/{revision}/{file}
    std::string resolve_url(const std::string& revision, const std::string& file) const;
    // {endpoint}/api/models/{repo}/revision/{revision}
    std::string api_url(const std::string& revision) const;
    // "model 'org/name': ..." for a non-2xx answer; `file` empty for the API call.
    [[noreturn]] void fail_status(const HttpResponse& r, const std::string& file) const;
};

}  // namespace hfx::hub
