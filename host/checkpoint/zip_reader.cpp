#include "checkpoint/zip_reader.h"

#include "core/error.h"

namespace hfx {
namespace {

constexpr uint32_t sig_local = 0x04034b50, sig_central = 0x02014b50, sig_end = 0x06054b50, sig_end64 = 0x06064b50,
                   sig_locator64 = 0x07064b50;
constexpr size_t end_size = 22, central_size = 46, local_size = 30, locator64_size = 20, end64_size = 56;

uint64_t le(const uint8_t* p, int bytes) {
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

}  // namespace

void ZipArchive::bad(const std::string& what) const { fail("zip '", file_->path(), "': ", what); }

ZipArchive::ZipArchive(std::shared_ptr<MappedFile> file) : file_(std::move(file)) {
    const uint8_t* b = file_->data();
    const uint64_t size = file_->size();
    if (size < end_size) bad("file is too short to be a zip archive");

    // The end record sits in the last 22 + (comment up to 64 KiB) bytes.
    uint64_t end = UINT64_MAX;
    uint64_t lowest = size > end_size + 0xffff ? size - end_size - 0xffff : 0;
    for (uint64_t pos = size - end_size + 1; pos-- > lowest;) {
        if (le(b + pos, 4) == sig_end) {
            end = pos;
            break;
        }
    }
    if (end == UINT64_MAX) bad("no end of central directory record (not a zip archive)");
    uint64_t count = le(b + end + 10, 2), cd_size = le(b + end + 12, 4), cd_offset = le(b + end + 16, 4);

    if (count == 0xffff || cd_size == 0xffffffff || cd_offset == 0xffffffff) {
        if (end < locator64_size || le(b + end - locator64_size, 4) != sig_locator64)
            bad("ZIP64 sizes without a ZIP64 locator");
        uint64_t end64 = le(b + end - locator64_size + 8, 8);
        if (end64 > size || size - end64 < end64_size || le(b + end64, 4) != sig_end64)
            bad("ZIP64 end record is missing or outside the file");
        count = le(b + end64 + 32, 8);
        cd_size = le(b + end64 + 40, 8);
        cd_offset = le(b + end64 + 48, 8);
    }
    if (cd_offset > size || cd_size > size - cd_offset) bad("central directory lies outside the file");
    if (count > cd_size / central_size) bad("central directory is too small for its entry count");

    uint64_t pos = cd_offset, cd_end = cd_offset + cd_size;
    entries_.reserve(count);
    for (uint64_t i = 0; i < count; ++i) {
        if (cd_end - pos < central_size || le(b + pos, 4) != sig_central)
            bad("central directory entry " + std::to_string(i) + " is malformed");
        const uint8_t* h = b + pos;
        uint64_t name_len = le(h + 28, 2), extra_len = le(h + 30, 2), comment_len = le(h + 32, 2);
        if (cd_end - pos - central_size < name_len + extra_len + comment_len)
            bad("central directory entry " + std::to_string(i) + " runs past the directory");
        ZipEntry e;
        e.name.assign(reinterpret_cast<const char*>(h + central_size), name_len);
        e.method = uint16_t(le(h + 10, 2));
        if (le(h + 8, 2) & 1) e.method = 0xffff;  // encrypted: refused like a compressed entry
        e.compressed_size = le(h + 20, 4);
        e.size = le(h + 24, 4);
        e.local_header_offset = le(h + 42, 4);

        // ZIP64 extra field: 64-bit values for exactly the fields that are 0xffffffff.
        const uint8_t* x = h + central_size + name_len;
        const uint8_t* x_end = x + extra_len;
        while (x_end - x >= 4) {
            uint64_t id = le(x, 2), len = le(x + 2, 2);
            if (uint64_t(x_end - x - 4) < len) bad("entry '" + e.name + "': malformed extra field");
            if (id == 1) {
                const uint8_t* v = x + 4;
                uint64_t left = len;
                for (uint64_t* field : {&e.size, &e.compressed_size, &e.local_header_offset}) {
                    if (*field != 0xffffffff) continue;
                    if (left < 8) bad("entry '" + e.name + "': truncated ZIP64 extra field");
                    *field = le(v, 8);
                    v += 8;
                    left -= 8;
                }
            }
            x += 4 + len;
        }
        index_.emplace(e.name, entries_.size());  // the first of duplicate names wins
        entries_.push_back(std::move(e));
        pos += central_size + name_len + extra_len + comment_len;
    }
}

const ZipEntry* ZipArchive::find(const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &entries_[it->second];
}

const uint8_t* ZipArchive::data(const ZipEntry& e) const {
    if (e.method == 0xffff) bad("entry '" + e.name + "' is encrypted");
    if (e.method != 0)
        bad("entry '" + e.name + "' is compressed (method " + std::to_string(e.method) +
            "); only stored entries can be mapped");
    if (e.compressed_size != e.size) bad("entry '" + e.name + "' is stored but its sizes differ");
    const uint8_t* b = file_->data();
    const uint64_t size = file_->size();
    uint64_t off = e.local_header_offset;
    if (off > size || size - off < local_size || le(b + off, 4) != sig_local)
        bad("entry '" + e.name + "': local header missing or outside the file");
    uint64_t start = off + local_size + le(b + off + 26, 2) + le(b + off + 28, 2);
    if (start > size || size - start < e.size)
        bad("entry '" + e.name + "': data of " + std::to_string(e.size) + " bytes runs past the end of the file");
    return b + start;
}

}  // namespace hfx
