// Helpers for the checkpoint tests: a temporary folder, raw file writers and
// tiny builders for the binary formats (safetensors, zip, pickle) so each
// malformed case is a few readable lines.
#pragma once
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace hfx::test {

namespace fs = std::filesystem;

class TempDir : public ::testing::Test {
protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "hfx_unit_XXXXXX").string();
        ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
        dir = tmpl;
    }
    void TearDown() override { fs::remove_all(dir); }
    std::string path(const std::string& name) const { return dir + "/" + name; }
    std::string dir;
};

inline void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

inline std::string le_bytes(uint64_t v, int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += char(uint8_t(v >> (8 * i)));
    return s;
}

// A safetensors file from a raw header text and `data_bytes` bytes of data.
inline std::string safetensors_bytes(const std::string& header, size_t data_bytes) {
    return le_bytes(header.size(), 8) + header + std::string(data_bytes, '\x01');
}

// The message of the hfx::Error `fn` throws; fails the test when none is thrown.
inline std::string error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    ADD_FAILURE() << "no hfx::Error thrown";
    return "";
}

struct ZipItem {
    std::string name, data;
    uint16_t method = 0;
};

// A zip of stored entries (CRCs left zero: the reader never checks them).
inline std::string zip_bytes(const std::vector<ZipItem>& items) {
    std::string out, central;
    for (const auto& it : items) {
        uint64_t offset = out.size();
        std::string sizes = le_bytes(0, 4) + le_bytes(it.data.size(), 4) + le_bytes(it.data.size(), 4);
        out += le_bytes(0x04034b50, 4) + le_bytes(20, 2) + le_bytes(0, 2) + le_bytes(it.method, 2) + le_bytes(0, 4) +
               sizes + le_bytes(it.name.size(), 2) + le_bytes(0, 2) + it.name + it.data;
        central += le_bytes(0x02014b50, 4) + le_bytes(20, 2) + le_bytes(20, 2) + le_bytes(0, 2) +
                   le_bytes(it.method, 2) + le_bytes(0, 4) + sizes + le_bytes(it.name.size(), 2) + le_bytes(0, 2) +
                   le_bytes(0, 2) + le_bytes(0, 2) + le_bytes(0, 2) + le_bytes(0, 4) + le_bytes(offset, 4) + it.name;
    }
    uint64_t cd_offset = out.size();
    out += central;
    out += le_bytes(0x06054b50, 4) + le_bytes(0, 2) + le_bytes(0, 2) + le_bytes(items.size(), 2) +
           le_bytes(items.size(), 2) + le_bytes(central.size(), 4) + le_bytes(cd_offset, 4) + le_bytes(0, 2);
    return out;
}

// Pickle bytes, opcode by opcode, as torch.save (protocol 2) writes them.
struct PickleBuilder {
    std::string b = "\x80\x02";
    PickleBuilder& op(char c) {
        b += c;
        return *this;
    }
    PickleBuilder& mark() { return op('('); }
    PickleBuilder& global(const std::string& module, const std::string& name) {
        b += 'c' + module + '\n' + name + '\n';
        return *this;
    }
    PickleBuilder& str(const std::string& s) {
        b += 'X' + le_bytes(s.size(), 4) + s;
        return *this;
    }
    PickleBuilder& integer(int32_t i) {
        b += 'J' + le_bytes(uint32_t(i), 4);
        return *this;
    }
    PickleBuilder& ints(const std::vector<int32_t>& v) {  // a tuple of ints
        mark();
        for (int32_t i : v) integer(i);
        return op('t');
    }
    // key -> _rebuild_tensor_v2(('storage', FloatStorage, key, 'cpu', numel), offset, size, stride, False, OrderedDict())
    PickleBuilder& tensor(const std::string& storage_key, int32_t numel, int32_t offset,
                          const std::vector<int32_t>& size, const std::vector<int32_t>& stride,
                          const std::string& storage_type = "FloatStorage") {
        global("torch._utils", "_rebuild_tensor_v2").mark();
        mark().str("storage").global("torch", storage_type).str(storage_key).str("cpu").integer(numel).op('t');
        op('Q').integer(offset).ints(size).ints(stride).op('\x89');
        global("collections", "OrderedDict").op(')').op('R');
        return op('t').op('R');
    }
    std::string done() { return b + '.'; }
};

inline std::string torch_zip(const std::string& pickle, std::vector<ZipItem> storages = {}) {
    std::vector<ZipItem> items{{"archive/data.pkl", pickle}};
    for (auto& s : storages) items.push_back({"archive/data/" + s.name, s.data, s.method});
    items.push_back({"archive/version", "3\n"});
    return zip_bytes(items);
}

}  // namespace hfx::test
