// A read-only memory mapping of a whole file, shared by the tensors that view it.
#pragma once
#include <cstddef>
#include <memory>
#include <string>

namespace hfx {

struct MappedFile {
    const unsigned char* data = nullptr;
    size_t size = 0;
    ~MappedFile();

    // Throws hfx::Error "<what> '<path>': <reason>" when the file cannot be mapped.
    static std::shared_ptr<MappedFile> open(const std::string& path, const char* what = "onnx");
};

}  // namespace hfx
