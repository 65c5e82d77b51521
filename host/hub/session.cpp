#include "hub/session.h"

namespace hfx::hub {

HttpRequest HubSession::request(const std::string& method, const std::string& url) const {
    HttpRequest r;
    r.method = method;
    r.url = url;
    r.token = token;
    r.token_origin = origin_of(endpoint);
    return r;
}

std::string HubSession::resolve_url(const std::string& revision, const std::string& file) const {
    return endpoint + "/" + id.repo + "/resolve/" + url_quote(revision, false) + "/" + url_quote(file, true);
}

std::string HubSession::api_url(const std::string& revision) const {
    return endpoint + "/api/models/" + id.repo + "/revision/" + url_quote(revision, false);
}

void HubSession::fail_status(const HttpResponse& r, const std::string& file) const {
    std::string code = r.header("x-error-code"), where = " (HTTP " + std::to_string(r.status) + " from " + r.url + ")";
    std::string model = "model '" + id.display() + "': ";
    std::string auth = token.empty() ? "no HF_TOKEN set" : "with the HF_TOKEN given";
    if (code == "RevisionNotFound") fail(model, "revision '", id.revision, "' not found", where);
    if (code == "EntryNotFound" || (r.status == 404 && !file.empty() && code.empty()))
        fail(model, "file '", file, "' not found at revision '", id.revision, "'", where);
    if (code == "RepoNotFound" || r.status == 404)
        fail(model, "repository not found on ", endpoint, " (or private, ", auth, ")", where);
    if (code == "GatedRepo") fail(model, "gated repository: access not granted (", auth, ")", where);
    if (r.status == 401 || r.status == 403)
        fail(model, "access denied (a private or gated repository? ", auth, ")", where);
    std::string message = r.header("x-error-message");
    fail(model, file.empty() ? "" : "file '" + file + "': ", "the hub answered HTTP ", std::to_string(r.status),
         message.empty() ? "" : " (" + message + ")", " (", r.url, ")");
}

}  // namespace hfx::hub
