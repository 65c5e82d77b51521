// One repo's folder in the Hugging Face cache, laid out as huggingface_hub lays it out
// (file_download.py), so that Python tools read what hfexport wrote and the other way round:
//   <root>/models--ORG--NAME/refs/<revision>          the commit hash, no newline
//   <root>/models--ORG--NAME/blobs/<etag>             the file's bytes (.incomplete while downloading)
//   <root>/models--ORG--NAME/snapshots/<commit>/<file> -> ../../blobs/<etag>  (a relative symlink)
//   <root>/.locks/models--ORG--NAME/<etag>.lock       flock(2)ed while the blob is written
#pragma once
#include <filesystem>
#include <optional>
#include <string>

namespace hfx::hub {

class RepoCache {
public:
    RepoCache(std::filesystem::path root, const std::string& repo);

    const std::filesystem::path& root() const { return root_; }
    const std::filesystem::path& folder() const { return folder_; }  // models--ORG--NAME
    std::filesystem::path snapshot(const std::string& commit) const { return folder_ / "snapshots" / commit; }
    std::filesystem::path pointer(const std::string& commit, const std::string& file) const;
    std::filesystem::path blob(const std::string& etag) const { return folder_ / "blobs" / etag; }
    std::filesystem::path incomplete(const std::string& etag) const { return blob(etag).string() + ".incomplete"; }
    std::filesystem::path lock_file(const std::string& etag) const { return locks_ / (etag + ".lock"); }

    // The commit a branch or tag was last seen at (refs/<revision>), a commit hash as it is.
    std::optional<std::string> commit_of(const std::string& revision) const;
    // Records revision -> commit when they differ; written atomically and only when changed.
    void write_ref(const std::string& revision, const std::string& commit) const;
    // snapshots/<commit>/<file> -> the blob, relative (the cache folder can move).
    void link(const std::string& commit, const std::string& file, const std::string& etag) const;
    // <root>/CACHEDIR.TAG (the Cache Directory Tagging spec), so backup tools skip the cache, as
    // current huggingface_hub writes it; an existing one is left alone.
    void tag_root() const;

private:
    std::filesystem::path root_, folder_, locks_;
};

// Holds the flock of one blob's lock file (the lock huggingface_hub's FileLock takes).
class BlobLock {
public:
    explicit BlobLock(const std::filesystem::path& lock_file);
    ~BlobLock();
    BlobLock(const BlobLock&) = delete;
    BlobLock& operator=(const BlobLock&) = delete;

private:
    int fd_ = -1;
};

}  // namespace hfx::hub
