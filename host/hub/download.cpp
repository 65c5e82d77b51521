#include "hub/download.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <spdlog/spdlog.h>
#include <thread>

#include "hub/progress.h"

namespace fs = std::filesystem;

namespace hfx::hub {

namespace {

constexpr int kRetries = 5;  // attempts in a row that bring no new byte (http_get's _nb_retries)

struct FileMetadata {
    std::string commit, etag, location;
    int64_t size = -1;
};

// _normalize_etag: W/"abc" and "abc" are both abc.
std::string normalize_etag(std::string etag) {
    if (etag.rfind("W/", 0) == 0) etag = etag.substr(2);
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
    return etag;
}

FileMetadata head(HubSession& hub, const std::string& commit, const std::string& file) {
    HttpRequest req = hub.request("HEAD", hub.resolve_url(commit, file));
    req.headers.push_back("Accept-Encoding: identity");  // the real size, not a compressed one
    req.redirects = Redirects::relative;                 // a renamed repo; the CDN's absolute URL is kept
    HttpResponse r = hub.http.send(req);
    if (r.status >= 400) hub.fail_status(r, file);
    FileMetadata m;
    m.commit = r.header("x-repo-commit");
    m.etag = normalize_etag(r.header("x-linked-etag").empty() ? r.header("etag") : r.header("x-linked-etag"));
    m.location = r.header("location").empty() ? r.url : resolve_location(r.url, r.header("location"));
    std::string size = r.header("x-linked-size");
    if (size.empty() && !(r.status >= 300 && r.status < 400)) size = r.header("content-length");
    std::string where = " (" + r.url + ")";
    std::string what = "model '" + hub.id.display() + "': file '" + file + "': ";
    if (m.commit.empty()) fail(what, "the answer has no X-Repo-Commit header: not a Hugging Face hub?", where);
    if (m.commit != commit) fail(what, "the hub answered for commit ", m.commit, ", not ", commit, where);
    if (m.etag.empty() || m.etag.find('/') != std::string::npos || m.etag == "." || m.etag == "..")
        fail(what, "the answer has no usable ETag", where);
    try {
        m.size = size.empty() ? -1 : std::stoll(size);
    } catch (const std::exception&) {
        m.size = -1;
    }
    if (m.size < 0) fail(what, "the answer has no Content-Length / X-Linked-Size", where);
    return m;
}

struct FileCloser {
    void operator()(FILE* f) const { std::fclose(f); }
};

// Appends to the .incomplete file; a server that ignores the Range request (200 instead of 206)
// sends the whole file again, so what was there is dropped first.
class IncompleteSink : public BodySink {
public:
    IncompleteSink(const fs::path& path, Progress& progress) : path_(path), progress_(progress) {
        file_.reset(std::fopen(path.c_str(), "ab"));
        if (!file_) fail("cache file '", path.string(), "': cannot open for writing");
        std::fseek(file_.get(), 0, SEEK_END);
        size_ = std::ftell(file_.get());
    }
    int64_t size() const { return size_; }
    void begin(const HttpResponse& r) override {
        if (r.status == 206 && r.header("content-range").rfind("bytes " + std::to_string(size_) + "-", 0) != 0) {
            truncate();
            fail("url '", r.url, "': answered a Range request from byte ", std::to_string(size_), " with '",
                 r.header("content-range"), "'");
        }
        if (size_ > 0 && r.status != 206) truncate();
    }
    void write(const char* data, size_t n) override {
        if (std::fwrite(data, 1, n, file_.get()) != n)
            fail("cache file '", path_.string(), "': write failed (disk full?)");
        size_ += int64_t(n);
        progress_.set(size_);
    }
    void truncate() {
        std::fflush(file_.get());
        if (::ftruncate(fileno(file_.get()), 0) != 0) fail("cache file '", path_.string(), "': cannot truncate");
        std::fseek(file_.get(), 0, SEEK_SET);
        size_ = 0;
    }
    void close() {
        if (std::fflush(file_.get()) != 0) fail("cache file '", path_.string(), "': write failed (disk full?)");
        file_.reset();
    }

private:
    fs::path path_;
    Progress& progress_;
    std::unique_ptr<FILE, FileCloser> file_;
    int64_t size_ = 0;
};

void download_blob(HubSession& hub, const fs::path& incomplete, const FileMetadata& m, const std::string& file) {
    std::string what = "model '" + hub.id.display() + "': file '" + file + "': ";
    std::error_code ec;
    if (fs::exists(incomplete, ec) && int64_t(fs::file_size(incomplete, ec)) > m.size) fs::remove(incomplete, ec);
    Progress progress(file, m.size, 0);
    IncompleteSink sink(incomplete, progress);
    if (sink.size() > 0) spdlog::info("resuming {} at {} of {} bytes", file, sink.size(), m.size);
    int left = kRetries;
    while (sink.size() < m.size || m.size == 0) {
        HttpRequest req = hub.request("GET", m.location);
        if (sink.size() > 0) req.headers.push_back("Range: bytes=" + std::to_string(sink.size()) + "-");
        int64_t before = sink.size();
        try {
            HttpResponse r = hub.http.send(req, &sink);
            if (r.status >= 400) hub.fail_status(r, file);
            break;
        } catch (const TransferError& e) {
            if (sink.size() > before) left = kRetries;
            if (--left < 0) fail(what, "download failed after ", std::to_string(kRetries), " retries: ", e.what());
            spdlog::warn("{}: connection lost at {} of {} bytes; resuming", file, sink.size(), m.size);
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    }
    sink.close();
    int64_t got = int64_t(fs::file_size(incomplete, ec));
    if (got != m.size) {
        if (got > m.size) fs::remove(incomplete, ec);
        fail(what, "downloaded ", std::to_string(got), " bytes, the hub announced ", std::to_string(m.size), " (",
             m.location, ")");
    }
}

}  // namespace

fs::path fetch_file(HubSession& hub, const RepoCache& cache, const std::string& commit, const std::string& file) {
    fs::path pointer = cache.pointer(commit, file);
    std::error_code ec;
    if (fs::exists(pointer, ec)) return pointer;  // a commit never changes: no request at all
    FileMetadata m = head(hub, commit, file);
    fs::path blob = cache.blob(m.etag);
    fs::create_directories(blob.parent_path(), ec);
    if (ec) fail("cache folder '", blob.parent_path().string(), "': cannot create (", ec.message(), ")");
    BlobLock lock(cache.lock_file(m.etag));
    if (!fs::exists(blob, ec)) {
        download_blob(hub, cache.incomplete(m.etag), m, file);
        fs::rename(cache.incomplete(m.etag), blob, ec);
        if (ec) fail("cache file '", blob.string(), "': cannot rename the download (", ec.message(), ")");
        spdlog::debug("downloaded {} ({} bytes) to {}", file, m.size, blob.string());
    }
    cache.link(commit, file, m.etag);
    return pointer;
}

}  // namespace hfx::hub
