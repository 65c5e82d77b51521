#include "hub/fake_hub.h"

#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/uuid/detail/sha1.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace hfx::test {

namespace {

using Reply = HttpReply;

std::string hex(const unsigned char* p, size_t n) {
    std::string s;
    char b[3];
    for (size_t i = 0; i < n; ++i) std::snprintf(b, sizeof b, "%02x", p[i]), s += b;
    return s;
}

std::string url_decode(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            out += char(std::stoi(s.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

const char* reason(int status) {
    switch (status) {
        case 200:
            return "OK";
        case 206:
            return "Partial Content";
        case 302:
            return "Found";
        case 401:
            return "Unauthorized";
        case 404:
            return "Not Found";
        case 416:
            return "Range Not Satisfiable";
        case 500:
            return "Internal Server Error";
        default:
            return "Error";
    }
}

Reply error(int status, const std::string& code, const std::string& message) {
    Reply r;
    r.status = status;
    if (!code.empty()) r.headers.emplace_back("X-Error-Code", code);
    r.headers.emplace_back("X-Error-Message", message);
    r.body = nlohmann::json{{"error", message}}.dump();
    return r;
}

}  // namespace

struct FakeHub::Server {
    using Handler = std::function<Reply(const std::string& method, const std::string& target, const std::string& auth,
                                        const std::string& range)>;
    asio::io_context io;
    tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
    std::atomic<bool> stopping{false};
    Handler handler;
    std::thread thread;

    explicit Server(Handler h) : handler(std::move(h)) {
        thread = std::thread([this] { run(); });
    }
    ~Server() {
        stopping = true;
        try {  // wakes the blocking accept
            asio::io_context io2;
            tcp::socket s(io2);
            s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port()));
        } catch (...) {}
        thread.join();
    }
    unsigned short port() const { return acceptor.local_endpoint().port(); }

    void run() {
        while (!stopping) {
            tcp::socket socket(io);
            boost::system::error_code ec;
            acceptor.accept(socket, ec);
            if (ec || stopping) continue;
            serve(socket);
        }
    }

    void serve(tcp::socket& socket) {
        boost::beast::flat_buffer buffer;
        http::request<http::string_body> req;
        boost::system::error_code ec;
        http::read(socket, buffer, req, ec);
        if (ec) return;
        std::string method(req.method_string()), target(req.target());
        Reply r =
            handler(method, target, std::string(req[http::field::authorization]), std::string(req[http::field::range]));
        std::string head = "HTTP/1.1 " + std::to_string(r.status) + " " + reason(r.status) + "\r\n";
        for (const auto& [k, v] : r.headers) head += k + ": " + v + "\r\n";
        head += "Content-Length: " + std::to_string(r.body.size()) + "\r\nConnection: close\r\n\r\n";
        std::string out = head;
        if (method != "HEAD") out += r.drop_after >= 0 ? r.body.substr(0, size_t(r.drop_after)) : r.body;
        asio::write(socket, asio::buffer(out), ec);
        socket.shutdown(tcp::socket::shutdown_both, ec);
        socket.close(ec);
    }
};

FakeHub::FakeHub() {
    auto logged = [this](const char* server, auto handle) {
        return [this, server, handle](const std::string& m, const std::string& t, const std::string& a,
                                      const std::string& r) {
            std::lock_guard<std::mutex> lock(mutex_);
            log_.push_back({server, m, t, r, a});
            return handle(t, a, r);
        };
    };
    // The CDN first: the hub's redirects name its port.
    cdn_ = std::make_unique<Server>(logged(
        "cdn", [this](const std::string& t, const std::string&, const std::string& r) { return handle_cdn(t, r); }));
    hub_ = std::make_unique<Server>(logged(
        "hub", [this](const std::string& t, const std::string& a, const std::string&) { return handle_hub(t, a); }));
}

HttpReply FakeHub::handle_cdn(const std::string& t, const std::string& range) {
    std::string sha = t.substr(0, t.find('?'));
    if (cdn_failure_) return error(cdn_failure_, "", "the CDN is failing");
    if (sha.rfind("/blobs/", 0) != 0) return error(404, "", "no such path");
    sha = sha.substr(7);
    const std::string* bytes = nullptr;
    for (const auto& [id, repo] : repos_)
        for (const auto& [commit, files] : repo.commits)
            for (const auto& [name, content] : files)
                if (is_lfs(name) && sha256(content) == sha) bytes = &content;
    if (!bytes) return error(404, "", "no such blob");
    Reply rep;
    rep.headers.emplace_back("ETag", "\"" + sha + "\"");
    rep.headers.emplace_back("Accept-Ranges", "bytes");
    size_t from = 0;
    if (!range.empty() && !ignore_range_) {
        if (std::sscanf(range.c_str(), "bytes=%zu-", &from) != 1 || from >= bytes->size())
            return error(416, "", "bad range");
        rep.status = 206;
        rep.headers.emplace_back("Content-Range", "bytes " + std::to_string(from) + "-" +
                                                      std::to_string(bytes->size() - 1) + "/" +
                                                      std::to_string(bytes->size()));
    }
    rep.body = bytes->substr(from);
    long drop = drop_after_.exchange(-1);
    if (drop >= 0 && size_t(drop) < rep.body.size()) rep.drop_after = drop;
    return rep;
}

FakeHub::~FakeHub() = default;

void FakeHub::add_repo(const std::string& id, FakeRepo repo) {
    std::lock_guard<std::mutex> lock(mutex_);
    repos_[id] = std::move(repo);
}

std::string FakeHub::endpoint() const { return "http://127.0.0.1:" + std::to_string(hub_->port()); }

std::vector<LoggedRequest> FakeHub::requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return log_;
}

void FakeHub::clear_requests() {
    std::lock_guard<std::mutex> lock(mutex_);
    log_.clear();
}

bool FakeHub::is_lfs(const std::string& file) {
    auto ends = [&](const std::string& tail) {
        return file.size() >= tail.size() && file.compare(file.size() - tail.size(), tail.size(), tail) == 0;
    };
    return ends(".safetensors") || ends(".bin") || ends(".model");
}

HttpReply FakeHub::handle_hub(const std::string& target, const std::string& auth) {
    std::string path = target.substr(0, target.find('?'));
    std::string repo_id, rev, file;
    bool api = path.rfind("/api/models/", 0) == 0;
    if (api) {
        size_t at = path.rfind("/revision/");
        if (at == std::string::npos) return error(404, "", "no such route");
        repo_id = path.substr(12, at - 12);
        rev = url_decode(path.substr(at + 10));
    } else {
        size_t at = path.find("/resolve/");
        if (at == std::string::npos) return error(404, "", "no such route");
        repo_id = path.substr(1, at - 1);
        std::string rest = path.substr(at + 9);
        size_t slash = rest.find('/');
        if (slash == std::string::npos) return error(404, "", "no file");
        rev = url_decode(rest.substr(0, slash));
        file = url_decode(rest.substr(slash + 1));
    }
    auto it = repos_.find(repo_id);
    if (it == repos_.end()) return error(404, "RepoNotFound", "Repository not found");
    const FakeRepo& repo = it->second;
    if (!repo.token.empty() && auth != "Bearer " + repo.token)
        return error(401, "", "Invalid credentials in Authorization header");
    std::string commit = repo.refs.count(rev) ? repo.refs.at(rev) : rev;
    auto files = repo.commits.find(commit);
    if (files == repo.commits.end()) return error(404, "RevisionNotFound", "Invalid rev id: " + rev);
    if (api) {
        nlohmann::json j{{"id", repo_id},
                         {"modelId", repo_id},
                         {"sha", commit},
                         {"private", !repo.token.empty()},
                         {"downloads", 0},
                         {"likes", 0},
                         {"tags", nlohmann::json::array()},
                         {"siblings", nlohmann::json::array()}};
        for (const auto& [name, bytes] : files->second) j["siblings"].push_back({{"rfilename", name}});
        for (const std::string& name : repo.listed_only)
            if (!files->second.count(name)) j["siblings"].push_back({{"rfilename", name}});
        Reply r;
        r.headers.emplace_back("Content-Type", "application/json");
        r.body = j.dump();
        return r;
    }
    auto f = files->second.find(file);
    bool hidden = std::find(repo.listed_only.begin(), repo.listed_only.end(), file) != repo.listed_only.end();
    if (f == files->second.end() || hidden) {
        Reply r = error(404, "EntryNotFound", file + " does not exist on \"" + rev + "\"");
        r.headers.emplace_back("X-Repo-Commit", commit);
        return r;
    }
    Reply r;
    r.headers.emplace_back("X-Repo-Commit", commit);
    if (is_lfs(file)) {
        std::string sha = sha256(f->second);
        r.status = 302;
        r.headers.emplace_back(
            "Location", "http://127.0.0.1:" + std::to_string(cdn_->port()) + "/blobs/" + sha + "?X-Signature=fake");
        r.headers.emplace_back("X-Linked-Etag", "\"" + sha + "\"");
        r.headers.emplace_back("X-Linked-Size", std::to_string(f->second.size()));
        r.headers.emplace_back("ETag",
                               "\"" + git_etag("version https://git-lfs.github.com/spec/v1\noid sha256:" + sha) + "\"");
        r.body = "Found. Redirecting to the CDN";
    } else {
        r.headers.emplace_back("ETag", "\"" + git_etag(f->second) + "\"");
        r.body = f->second;
    }
    return r;
}

std::string FakeHub::git_etag(const std::string& bytes) {
    boost::uuids::detail::sha1 h;
    std::string head = "blob " + std::to_string(bytes.size()) + std::string(1, '\0');
    h.process_bytes(head.data(), head.size());
    h.process_bytes(bytes.data(), bytes.size());
    unsigned int d[5];
    h.get_digest(d);
    unsigned char out[20];
    for (int i = 0; i < 5; ++i)
        for (int k = 0; k < 4; ++k) out[i * 4 + k] = static_cast<unsigned char>(d[i] >> (24 - 8 * k));
    return hex(out, 20);
}

// FIPS 180-4 SHA-256 (what the hub names LFS blobs by).
std::string FakeHub::sha256(const std::string& bytes) {
    static const uint32_t K[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    std::string m = bytes;
    uint64_t bits = uint64_t(bytes.size()) * 8;
    m += char(0x80);
    while (m.size() % 64 != 56) m += char(0);
    for (int i = 7; i >= 0; --i) m += char((bits >> (8 * i)) & 0xff);
    auto rotr = [](uint32_t x, int n) { return (x >> n) | (x << (32 - n)); };
    for (size_t off = 0; off < m.size(); off += 64) {
        uint32_t w[64];
        for (int i = 0; i < 16; ++i)
            w[i] = uint32_t(uint8_t(m[off + 4 * i])) << 24 | uint32_t(uint8_t(m[off + 4 * i + 1])) << 16 |
                   uint32_t(uint8_t(m[off + 4 * i + 2])) << 8 | uint32_t(uint8_t(m[off + 4 * i + 3]));
        for (int i = 16; i < 64; ++i) {
            uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
        for (int i = 0; i < 64; ++i) {
            uint32_t t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
            uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            hh = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
        }
        h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
    }
    unsigned char out[32];
    for (int i = 0; i < 8; ++i)
        for (int k = 0; k < 4; ++k) out[i * 4 + k] = static_cast<unsigned char>(h[i] >> (24 - 8 * k));
    return hex(out, 32);
}

}  // namespace hfx::test
