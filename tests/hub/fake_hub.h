// A local stand-in for the Hugging Face hub and its CDN, for tests (there is no network here):
// two HTTP servers on 127.0.0.1 started by the test. The hub answers what huggingface_hub asks:
//   GET  /api/models/{repo}/revision/{rev}   {"id", "sha", "siblings": [{"rfilename"}]}
//   HEAD|GET /{repo}/resolve/{rev}/{file}     X-Repo-Commit, ETag (git blob sha1) and the bytes;
//                                             "LFS" files: 302 to the CDN, X-Linked-Etag (sha256),
//                                             X-Linked-Size
// with X-Error-Code RepoNotFound / RevisionNotFound / EntryNotFound on 404 and 401 for a private
// repo without its token. The CDN (another port: another origin) serves blobs with Range
// support, can cut one body short (a dropped connection) and records whether a token reached it.
#pragma once
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hfx::test {

struct FakeRepo {
    std::map<std::string, std::string> refs;                            // branch or tag -> commit
    std::map<std::string, std::map<std::string, std::string>> commits;  // commit -> file -> bytes
    std::string token;                     // non-empty: private, answered only with "Authorization: Bearer <token>"
    std::vector<std::string> listed_only;  // in the API's file list, but 404 on resolve
};

struct HttpReply {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    long drop_after = -1;  // send only this many body bytes, then close the connection
};

struct LoggedRequest {
    std::string server;  // "hub" or "cdn"
    std::string method, target, range, authorization;
};

class FakeHub {
public:
    FakeHub();
    ~FakeHub();
    void add_repo(const std::string& id, FakeRepo repo);
    std::string endpoint() const;  // http://127.0.0.1:<hub port>
    std::vector<LoggedRequest> requests() const;
    void clear_requests();
    // The next CDN body stops after `bytes` and the connection is closed (once).
    void drop_next_body_after(long bytes) { drop_after_ = bytes; }
    void set_ignore_range(bool ignore) { ignore_range_ = ignore; }
    void set_cdn_failure(int status) { cdn_failure_ = status; }  // every CDN answer is this error (0: none)

    static bool is_lfs(const std::string& file);            // weights go through the CDN, as on the hub
    static std::string git_etag(const std::string& bytes);  // sha1("blob <n>\0" + bytes)
    static std::string sha256(const std::string& bytes);

    struct Server;

private:
    HttpReply handle_hub(const std::string& target, const std::string& auth);
    HttpReply handle_cdn(const std::string& target, const std::string& range);
    friend struct Server;
    mutable std::mutex mutex_;
    std::map<std::string, FakeRepo> repos_;
    std::vector<LoggedRequest> log_;
    std::atomic<long> drop_after_{-1};
    std::atomic<bool> ignore_range_{false};
    std::atomic<int> cdn_failure_{0};
    std::unique_ptr<Server> hub_, cdn_;
};

}  // namespace hfx::test
