#include "checkpoint/safetensors_write.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "checkpoint/safetensors.h"
#include "core/error.h"
#include "core/staged_files.h"

namespace hfx {
namespace {

// Owns the temporary file until it is renamed; removes it on any failure or
// signal (core/staged_files.h: it joins the caller's group when one is open).
struct TempFile {
    StagedFiles staged;
    std::string path;
    FILE* f = nullptr;
    explicit TempFile(const std::string& final_path) : path(staged.add(final_path)) {}
    ~TempFile() {
        if (f) std::fclose(f);
    }
};

std::string header_json(const std::string& path, const std::vector<std::pair<std::string, Tensor>>& tensors,
                        const std::map<std::string, std::string>& metadata) {
    // ordered_json keeps the tensors in data order, as the file lays them out.
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    std::set<std::string> seen;
    uint64_t offset = 0;
    for (const auto& [name, t] : tensors) {
        auto bad = [&](const std::string& what) { fail("safetensors '", path, "': tensor '", name, "': ", what); };
        if (name == "__metadata__") bad("the name is reserved for metadata");
        if (!seen.insert(name).second) bad("appears twice");
        const char* dtype = safetensors_dtype_name(t.dtype);
        if (!dtype) bad(std::string("dtype ") + dtype_name(t.dtype) + " cannot be stored");
        for (int64_t d : t.shape)
            if (d < 0) bad("negative dimension in shape " + shape_str(t.shape));
        if (t.nbytes() && !t.data) bad("has no data");
        header[name] = {{"dtype", dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.nbytes()}}};
        offset += t.nbytes();
    }
    std::string text = header.dump();
    // Padding keeps the data area 8-byte aligned (the length prefix is 8 bytes).
    text.append((8 - text.size() % 8) % 8, ' ');
    return text;
}

}  // namespace

void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata) {
    std::string header = header_json(path, tensors, metadata);
    TempFile tmp(path);
    tmp.f = std::fopen(tmp.path.c_str(), "wb");
    if (!tmp.f) fail("safetensors '", path, "': cannot create '", tmp.path, "': ", std::strerror(errno));

    uint8_t len[8];
    for (int i = 0; i < 8; ++i) len[i] = uint8_t(uint64_t(header.size()) >> (8 * i));
    bool ok =
        std::fwrite(len, 1, 8, tmp.f) == 8 && std::fwrite(header.data(), 1, header.size(), tmp.f) == header.size();
    for (const auto& [name, t] : tensors) {
        if (!ok) break;
        ok = t.nbytes() == 0 || std::fwrite(t.data, 1, t.nbytes(), tmp.f) == t.nbytes();
    }
    ok = ok && std::fflush(tmp.f) == 0 && ::fsync(::fileno(tmp.f)) == 0;
    int err = errno;
    ok = std::fclose(tmp.f) == 0 && ok;
    tmp.f = nullptr;
    if (!ok) fail("safetensors '", path, "': write failed: ", std::strerror(err ? err : errno));
    tmp.staged.commit();
}

std::map<std::string, Tensor> read_safetensors(const std::string& path) {
    SafetensorsFile st = open_safetensors(path);
    std::map<std::string, Tensor> out;
    for (const auto& w : st.tensors) out[w.name] = Tensor::view(w.dtype, w.shape, w.data, st.file);
    return out;
}

}  // namespace hfx
