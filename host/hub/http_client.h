// A small HTTP client over libcurl for the hub: one request at a time, redirects followed by us
// (not by curl) so that the Authorization header only ever goes to the hub's own origin, never to
// the CDN host a large file is redirected to (huggingface_hub drops it there too).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "core/error.h"

namespace hfx::hub {

struct HttpResponse {
    long status = 0;
    std::string url;                                    // the URL that answered (after redirects)
    std::map<std::string, std::string> headers;         // names in lower case
    std::string body;                                   // when no sink took it (API JSON, error text; capped)
    std::string header(const std::string& name) const;  // "" when absent; `name` in lower case
};

// No answer from the server at all (cannot connect, resolve, or it timed out before replying):
// huggingface_hub then falls back to what the cache holds.
struct ConnectionError : Error {
    using Error::Error;
};
// The connection broke while a body was arriving; the bytes before it were delivered.
struct TransferError : Error {
    using Error::Error;
};

// Takes the body of a successful (2xx) final response as it arrives.
struct BodySink {
    virtual ~BodySink() = default;
    virtual void begin(const HttpResponse& response) = 0;  // status and headers known, no body yet
    virtual void write(const char* data, size_t size) = 0;
};

enum class Redirects { none, relative, all };  // relative: same host only (huggingface_hub's HEAD)

struct HttpRequest {
    std::string method = "GET";  // GET or HEAD
    std::string url;
    std::vector<std::string> headers;  // "Name: value"
    std::string token;                 // Bearer token, sent only to `token_origin`
    std::string token_origin;          // scheme://host:port
    Redirects redirects = Redirects::all;
};

class HttpClient {
public:
    HttpClient();
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Throws ConnectionError / TransferError as above; any HTTP status is returned, not thrown.
    HttpResponse send(const HttpRequest& request, BodySink* sink = nullptr);

private:
    void* curl_;
};

// "scheme://host:port" of a URL, the port made explicit (http 80, https 443).
std::string origin_of(const std::string& url);
// A Location header against the URL it answered.
std::string resolve_location(const std::string& base, const std::string& location);
// Percent-encodes all but unreserved characters (and '/' when `keep_slash`), as urllib's quote.
std::string url_quote(const std::string& text, bool keep_slash);

}  // namespace hfx::hub
