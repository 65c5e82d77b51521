// A tiny safetensors reader for the tests' golden files (8-byte LE header
// length, JSON header, data). Values are copied into owned Tensors.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <fstream>
#include <map>
#include <string>

#include "core/error.h"
#include "core/tensor.h"

namespace hfx::test {

inline DType safetensors_dtype(const std::string& s) {
    if (s == "F32") return DType::f32;
    if (s == "F16") return DType::f16;
    if (s == "F64") return DType::f64;
    if (s == "I64") return DType::i64;
    if (s == "I32") return DType::i32;
    if (s == "BOOL") return DType::boolean;
    if (s == "U8") return DType::u8;
    if (s == "I8") return DType::i8;
    return DType::undefined;
}

inline std::map<std::string, Tensor> read_safetensors(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) fail("safetensors '", path, "': cannot open");
    uint64_t n = 0;
    f.read(reinterpret_cast<char*>(&n), 8);
    if (!f || n > (1u << 26)) fail("safetensors '", path, "': bad header");
    std::string header(n, '\0');
    f.read(header.data(), std::streamsize(n));
    auto j = nlohmann::json::parse(header);
    std::map<std::string, Tensor> out;
    for (auto& [name, v] : j.items()) {
        if (name == "__metadata__") continue;
        Shape shape = v["shape"].get<Shape>();
        DType dt = safetensors_dtype(v["dtype"].get<std::string>());
        if (dt == DType::undefined) fail("safetensors '", path, "': tensor '", name, "' has unsupported dtype");
        auto off = v["data_offsets"].get<std::vector<uint64_t>>();
        Tensor t = Tensor::empty(dt, shape);
        if (off.size() != 2 || off[1] - off[0] != t.nbytes())
            fail("safetensors '", path, "': tensor '", name, "' size");
        f.seekg(std::streamoff(8 + n + off[0]));
        f.read(static_cast<char*>(t.data), std::streamsize(t.nbytes()));
        if (!f) fail("safetensors '", path, "': tensor '", name, "' truncated");
        out[name] = t;
    }
    return out;
}

}  // namespace hfx::test
