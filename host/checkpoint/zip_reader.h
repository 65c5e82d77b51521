// ZipArchive: the central directory of a zip file that is already mapped,
// enough for torch.save archives: entries are located, never inflated
// (torch stores them uncompressed so tensors can be mapped in place).
// ZIP64 is understood because checkpoints over 4 GB use it.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/mapped_file.h"

namespace hfx {

struct ZipEntry {
    std::string name;
    uint16_t method = 0;  // 0 = stored; anything else is refused on access
    uint64_t size = 0;    // uncompressed size
    uint64_t compressed_size = 0;
    uint64_t local_header_offset = 0;
};

class ZipArchive {
public:
    // Throws hfx::Error `zip '<file>': ...` on a malformed directory.
    explicit ZipArchive(std::shared_ptr<MappedFile> file);

    const std::vector<ZipEntry>& entries() const { return entries_; }
    const ZipEntry* find(const std::string& name) const;
    // The bytes of a stored entry, inside the mapping; throws for a
    // compressed or encrypted entry, or one whose data lies outside the file.
    const uint8_t* data(const ZipEntry& entry) const;
    const std::string& path() const { return file_->path(); }
    const std::shared_ptr<MappedFile>& file() const { return file_; }

private:
    std::shared_ptr<MappedFile> file_;
    std::vector<ZipEntry> entries_;
    std::unordered_map<std::string, size_t> index_;  // name -> entries_ position
    [[noreturn]] void bad(const std::string& what) const;
};

}  // namespace hfx
