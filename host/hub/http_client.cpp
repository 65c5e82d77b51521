#include "hub/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdlib>
#include <exception>

namespace hfx::hub {

namespace {

constexpr size_t kMaxKeptBody = 1 << 20;  // API answers and error pages; files go to a sink
constexpr int kMaxRedirects = 10;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

std::string trim(std::string s) {
    s.erase(0, s.find_first_not_of(" \t\r\n"));
    s.erase(s.find_last_not_of(" \t\r\n") + 1);
    return s;
}

struct Exchange {
    HttpResponse response;
    BodySink* sink = nullptr;
    bool begun = false, body_started = false;
    std::exception_ptr error;  // thrown by the sink inside a curl callback

    bool to_sink() const { return sink && response.status >= 200 && response.status < 300; }
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
    auto* x = static_cast<Exchange*>(user);
    std::string line(data, size * count);
    if (line.rfind("HTTP/", 0) == 0) {  // a new status line (after a 100 Continue, say)
        x->response.headers.clear();
        size_t sp = line.find(' ');
        x->response.status = sp == std::string::npos ? 0 : std::strtol(line.c_str() + sp + 1, nullptr, 10);
        return size * count;
    }
    size_t colon = line.find(':');
    if (colon != std::string::npos)
        x->response.headers[lower(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
    return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
    auto* x = static_cast<Exchange*>(user);
    size_t n = size * count;
    x->body_started = true;
    if (!x->to_sink()) {
        if (x->response.body.size() < kMaxKeptBody)
            x->response.body.append(data, std::min(n, kMaxKeptBody - x->response.body.size()));
        return n;
    }
    try {
        if (!x->begun) {
            x->begun = true;
            x->sink->begin(x->response);
        }
        x->sink->write(data, n);
    } catch (...) {
        x->error = std::current_exception();
        return 0;  // aborts the transfer
    }
    return n;
}

bool is_redirect(long status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

struct GlobalInit {
    GlobalInit() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

}  // namespace

std::string HttpResponse::header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
}

HttpClient::HttpClient() {
    static GlobalInit init;
    curl_ = curl_easy_init();
    if (!curl_) fail("http client: cannot initialise libcurl");
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

HttpResponse HttpClient::send(const HttpRequest& request, BodySink* sink) {
    CURL* c = static_cast<CURL*>(curl_);
    std::string url = request.url;
    for (int hop = 0;; ++hop) {
        Exchange x;
        x.sink = sink;
        x.response.url = url;
        curl_easy_reset(c);
        curl_easy_setopt(c, CURLOPT_URL, url.c_str());
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
        // A stalled transfer is a broken one (huggingface_hub's 10 s read timeout).
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 10L);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "hfexport/" HFX_VERSION);
        if (request.method == "HEAD") curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
        curl_slist* headers = nullptr;
        for (const std::string& h : request.headers) headers = curl_slist_append(headers, h.c_str());
        if (!request.token.empty() && origin_of(url) == request.token_origin)
            headers = curl_slist_append(headers, ("Authorization: Bearer " + request.token).c_str());
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
        CURLcode rc = curl_easy_perform(c);
        curl_slist_free_all(headers);
        if (x.error) std::rethrow_exception(x.error);
        if (rc != CURLE_OK) {
            std::string why = curl_easy_strerror(rc);
            if (x.response.status == 0) throw ConnectionError("url '" + url + "': no answer (" + why + ")");
            throw TransferError("url '" + url + "': connection broken during the transfer (" + why + ")");
        }
        if (x.to_sink() && !x.begun) sink->begin(x.response);  // an empty body
        std::string location = x.response.header("location");
        bool follow = is_redirect(x.response.status) && !location.empty() &&
                      (request.redirects == Redirects::all ||
                       (request.redirects == Redirects::relative && location.find("://") == std::string::npos));
        if (!follow) return x.response;
        if (hop == kMaxRedirects)
            fail("url '", request.url, "': more than ", std::to_string(kMaxRedirects), " redirects");
        url = resolve_location(url, location);
    }
}

std::string origin_of(const std::string& url) {
    size_t scheme_end = url.find("://");
    if (scheme_end == std::string::npos) return "";
    std::string scheme = lower(url.substr(0, scheme_end));
    size_t host_start = scheme_end + 3, host_end = url.find_first_of("/?#", host_start);
    std::string host =
        lower(url.substr(host_start, host_end == std::string::npos ? std::string::npos : host_end - host_start));
    size_t at = host.rfind('@');
    if (at != std::string::npos) host = host.substr(at + 1);
    size_t colon = host.rfind(':');
    if (colon == std::string::npos || host.find(']', colon) != std::string::npos)
        host += scheme == "https" ? ":443" : ":80";
    return scheme + "://" + host;
}

std::string resolve_location(const std::string& base, const std::string& location) {
    if (location.find("://") != std::string::npos) return location;
    size_t scheme_end = base.find("://");
    size_t path_start = base.find('/', scheme_end + 3);
    std::string root = base.substr(0, path_start);
    if (location.rfind("//", 0) == 0) return base.substr(0, scheme_end + 1) + location;
    if (!location.empty() && location[0] == '/') return root + location;
    std::string path = path_start == std::string::npos ? "/" : base.substr(path_start);
    path = path.substr(0, path.find_first_of("?#"));
    return root + path.substr(0, path.rfind('/') + 1) + location;
}

std::string url_quote(const std::string& text, bool keep_slash) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
            out += char(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

}  // namespace hfx::hub
