#include "hub/cache_layout.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fstream>

#include "core/error.h"
#include "hub/repo_id.h"

namespace fs = std::filesystem;

namespace hfx::hub {

namespace {

// repo_folder_name(): "models" and the id's parts joined by "--".
std::string folder_name(const std::string& repo) {
    std::string name = "models--";
    for (char c : repo) name += c == '/' ? std::string("--") : std::string(1, c);
    return name;
}

void make_dirs(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) fail("cache folder '", dir.string(), "': cannot create (", ec.message(), ")");
}

}  // namespace

RepoCache::RepoCache(fs::path root, const std::string& repo)
    : root_(std::move(root)), folder_(root_ / folder_name(repo)), locks_(root_ / ".locks" / folder_name(repo)) {}

fs::path RepoCache::pointer(const std::string& commit, const std::string& file) const {
    fs::path p = snapshot(commit) / file;
    // _get_pointer_path: a file name must not climb out of its snapshot.
    for (const auto& part : fs::path(file))
        if (part == ".." || part.is_absolute() || part.empty())
            fail("file '", file, "': not a path inside the repo (", folder_.string(), ")");
    return p;
}

std::optional<std::string> RepoCache::commit_of(const std::string& revision) const {
    if (is_commit_hash(revision)) return revision;
    std::ifstream in(folder_ / "refs" / revision);
    if (!in) return std::nullopt;
    std::string commit(std::istreambuf_iterator<char>(in), {});
    if (!is_commit_hash(commit)) return std::nullopt;
    return commit;
}

void RepoCache::write_ref(const std::string& revision, const std::string& commit) const {
    if (revision == commit) return;
    auto current = commit_of(revision);
    if (current && *current == commit) return;  // unchanged: the cache may be read-only
    fs::path ref = folder_ / "refs" / revision;
    make_dirs(ref.parent_path());
    fs::path tmp = ref.string() + "." + std::to_string(::getpid()) + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << commit;
        if (!out.flush()) fail("cache file '", ref.string(), "': cannot write");
    }
    std::error_code ec;
    fs::rename(tmp, ref, ec);
    if (ec) fail("cache file '", ref.string(), "': cannot write (", ec.message(), ")");
}

void RepoCache::link(const std::string& commit, const std::string& file, const std::string& etag) const {
    fs::path dst = pointer(commit, file);
    make_dirs(dst.parent_path());
    fs::path target = fs::path(blob(etag)).lexically_relative(dst.parent_path());
    std::error_code ec;
    fs::remove(dst, ec);
    fs::create_symlink(target, dst, ec);
    if (ec && !(fs::is_symlink(dst) && fs::equivalent(dst, blob(etag))))
        fail("cache file '", dst.string(), "': cannot link to its blob (", ec.message(), ")");
}

void RepoCache::tag_root() const {
    fs::path tag = root_ / "CACHEDIR.TAG";
    std::error_code ec;
    if (fs::exists(tag, ec)) return;
    std::ofstream(tag, std::ios::binary) << "Signature: 8a477f597d28d172789f06886806bc55\n"
                                            "# Cache directory tag (written by hfexport into the Hugging Face cache).\n"
                                            "# See https://bford.info/cachedir/\n";
}

BlobLock::BlobLock(const fs::path& lock_file) {
    make_dirs(lock_file.parent_path());
    fd_ = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) fail("cache lock '", lock_file.string(), "': cannot open");
    if (::flock(fd_, LOCK_EX) != 0) {
        ::close(fd_);
        fail("cache lock '", lock_file.string(), "': cannot lock");
    }
}

BlobLock::~BlobLock() {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
}

}  // namespace hfx::hub
