#include "checkpoint/safetensors.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "checkpoint/json_file.h"
#include "checkpoint/weight_set.h"
#include "core/checked.h"
#include "core/error.h"

namespace hfx {
namespace {

// The reference implementation refuses headers over 100 MB; so do we, so a
// corrupt length cannot make us parse gigabytes of tensor data as JSON.
constexpr uint64_t max_header_bytes = 100'000'000;

struct DTypeName {
    const char* name;
    DType dtype;
};
constexpr DTypeName dtype_names[] = {
    {"F32", DType::f32}, {"F16", DType::f16}, {"BF16", DType::bf16}, {"F64", DType::f64}, {"I64", DType::i64},
    {"I32", DType::i32}, {"I16", DType::i16}, {"I8", DType::i8},     {"U8", DType::u8},   {"BOOL", DType::boolean},
    {"U16", DType::u16}, {"U32", DType::u32}, {"U64", DType::u64},
};

std::string range_str(uint64_t begin, uint64_t end) {
    // Appended piecewise: GCC 12 gives a false -Wrestrict on "[" + to_string(..).
    std::string out = "[";
    out += std::to_string(begin);
    out += ", ";
    out += std::to_string(end);
    out += "]";
    return out;
}

struct Parser {
    const std::string& path;
    uint64_t data_size = 0;

    [[noreturn]] void bad(const std::string& what) const { fail("safetensors '", path, "': ", what); }
    [[noreturn]] void bad_tensor(const std::string& name, const std::string& what) const {
        bad("tensor '" + name + "': " + what);
    }

    Shape shape_of(const std::string& name, const nlohmann::json& j) const {
        if (!j.is_array()) bad_tensor(name, "shape is not a list of non-negative integers");
        Shape shape;
        for (const auto& d : j) {
            // Non-negative integers parse as number_unsigned; negatives and 2.0 do not.
            if (!d.is_number_unsigned() || d.get<uint64_t>() > uint64_t(INT64_MAX))
                bad_tensor(name, "shape is not a list of non-negative integers");
            shape.push_back(d.get<int64_t>());
        }
        return shape;
    }

    // The ref's data pointer is set later, once all offsets are known good;
    // `begin` is its offset in the data area.
    WeightRef tensor(const std::string& name, const nlohmann::json& j, uint64_t& begin_out) const {
        if (!j.is_object()) bad_tensor(name, "entry is not an object");
        for (const char* key : {"dtype", "shape", "data_offsets"})
            if (!j.contains(key)) bad_tensor(name, std::string("missing '") + key + "'");
        const auto& jd = j["dtype"];
        DType dtype = jd.is_string() ? safetensors_dtype(jd.get<std::string>()) : DType::undefined;
        if (!jd.is_string()) bad_tensor(name, "dtype is not a string");
        if (dtype == DType::undefined) bad_tensor(name, "unknown dtype '" + jd.get<std::string>() + "'");
        Shape shape = shape_of(name, j["shape"]);

        const auto& off = j["data_offsets"];
        if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
            bad_tensor(name, "data_offsets is not a pair of non-negative integers");
        uint64_t begin = off[0].get<uint64_t>(), end = off[1].get<uint64_t>();
        std::string range = "data_offsets " + range_str(begin, end);
        if (end < begin) bad_tensor(name, range + ": end is before begin");
        if (end > data_size)
            bad_tensor(name, range + " exceed the data area of " + std::to_string(data_size) + " bytes");

        size_t need = 0;
        if (!checked_nbytes(shape, dtype_size(dtype), &need))
            bad_tensor(name, "shape " + shape_str(shape) + " is too large");
        if (need != end - begin)
            bad_tensor(name, range + " hold " + std::to_string(end - begin) + " bytes but " + jd.get<std::string>() +
                                 " " + shape_str(shape) + " needs " + std::to_string(need));
        WeightRef ref;
        ref.name = name;
        ref.dtype = dtype;
        ref.shape = std::move(shape);
        ref.nbytes = size_t(need);
        ref.file = path;
        begin_out = begin;
        return ref;
    }

    std::map<std::string, std::string> metadata(const nlohmann::json& j) const {
        std::map<std::string, std::string> out;
        if (!j.is_object()) bad("__metadata__ is not an object of strings");
        for (const auto& [k, v] : j.items()) {
            if (!v.is_string()) bad("__metadata__ '" + k + "' is not a string");
            out[k] = v.get<std::string>();
        }
        return out;
    }
};

}  // namespace

DType safetensors_dtype(const std::string& name) {
    for (const auto& d : dtype_names)
        if (name == d.name) return d.dtype;
    return DType::undefined;
}

const char* safetensors_dtype_name(DType dtype) {
    for (const auto& d : dtype_names)
        if (dtype == d.dtype) return d.name;
    return nullptr;
}

SafetensorsFile open_safetensors(const std::string& path) {
    SafetensorsFile out;
    out.file = MappedFile::open(path);
    Parser p{path};
    const uint8_t* bytes = out.file->data();
    uint64_t size = out.file->size();
    if (size < 8) p.bad("file is " + std::to_string(size) + " bytes, too short for the 8-byte header length");
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | bytes[i];  // little-endian on any host
    if (n > size - 8)
        p.bad("header length " + std::to_string(n) + " exceeds the file size of " + std::to_string(size) + " bytes");
    if (n > max_header_bytes)
        p.bad("header length " + std::to_string(n) + " is over the limit of " + std::to_string(max_header_bytes) +
              " bytes");
    p.data_size = size - 8 - n;

    nlohmann::json header;
    JsonDuplicate dup;
    bool unique = true;
    try {
        const char* text = reinterpret_cast<const char*>(bytes + 8);
        unique = parse_json_unique(text, text + n, header, dup);
    } catch (const nlohmann::json::parse_error& e) {
        p.bad("header is not valid JSON (byte " + std::to_string(e.byte) + " of the header)");
    } catch (const nlohmann::json::out_of_range&) {  // 1e999
        p.bad("header holds a number out of range (over 1.8e308)");
    }
    if (!unique && dup.depth == 1) p.bad_tensor(dup.key, "appears twice in the header");
    if (!unique) p.bad("key '" + dup.key + "' appears twice in one object of the header");
    if (!header.is_object()) p.bad("header is not a JSON object");

    std::vector<std::pair<uint64_t, WeightRef>> placed;  // (begin offset, ref)
    for (const auto& [name, entry] : header.items()) {
        if (name == "__metadata__") {
            out.metadata = p.metadata(entry);
            continue;
        }
        uint64_t begin = 0;
        WeightRef ref = p.tensor(name, entry, begin);
        placed.emplace_back(begin, std::move(ref));
    }

    // Overlap check: in offset order, each tensor must start at or after the
    // end of the previous non-empty one.
    std::sort(placed.begin(), placed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const std::pair<uint64_t, WeightRef>* prev = nullptr;
    for (const auto& cur : placed) {
        const auto& [begin, w] = cur;
        if (w.nbytes == 0) continue;
        if (prev && begin < prev->first + prev->second.nbytes)
            p.bad_tensor(w.name, "data_offsets " + range_str(begin, begin + w.nbytes) + " overlap tensor '" +
                                     prev->second.name + "' " +
                                     range_str(prev->first, prev->first + prev->second.nbytes));
        prev = &cur;
    }
    const uint8_t* data_area = bytes + 8 + n;
    for (auto& [begin, w] : placed) {
        w.data = data_area + begin;
        out.tensors.push_back(std::move(w));
    }
    return out;
}

WeightSet load_safetensors_weights(const std::string& path) {
    SafetensorsFile st = open_safetensors(path);
    WeightSet set;
    set.files.push_back(st.file);
    for (auto& w : st.tensors) {
        std::string name = w.name;
        set.weights[name] = LoadedWeight{std::move(w), st.file};
    }
    return set;
}

}  // namespace hfx
