// MappedFile: one file mapped read-only into memory. Checkpoint tensors are
// views into it, so a shared_ptr<MappedFile> is what keeps weights alive.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace hfx {

class MappedFile {
public:
    // Throws hfx::Error "<what> '<path>': <reason>" when it cannot be opened or mapped.
    static std::shared_ptr<MappedFile> open(const std::string& path, const char* what = "file");
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const uint8_t* data() const { return data_; }
    size_t size() const { return size_; }
    const std::string& path() const { return path_; }

private:
    MappedFile() = default;
    std::string path_;
    const uint8_t* data_ = nullptr;  // null for an empty file (mmap cannot map 0 bytes)
    size_t size_ = 0;
};

struct Tensor;
// Drops the resident pages wholly inside a file-backed tensor (Tensor::file_backed): they
// refault from the file if read again. A no-op for any other tensor, whose memory
// MADV_DONTNEED would zero.
void release_pages(const Tensor& t);

}  // namespace hfx
