#include "onnx/wire.h"

namespace hfx {
namespace {

struct Reader {
    const unsigned char* p;
    const unsigned char* end;

    bool varint(uint64_t& v) {
        v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p >= end) return false;
            unsigned char b = *p++;
            v |= uint64_t(b & 0x7f) << shift;
            if (!(b & 0x80)) return true;
        }
        return false;
    }

    // Reads one field; for length-delimited fields sets [body, body + len).
    bool field(uint32_t& number, uint32_t& wire, const unsigned char*& body, size_t& len) {
        uint64_t tag;
        if (!varint(tag)) return false;
        number = uint32_t(tag >> 3);
        wire = uint32_t(tag & 7);
        if (number == 0) return false;
        uint64_t v;
        switch (wire) {
            case 0:
                return varint(v);
            case 1:
                if (end - p < 8) return false;
                p += 8;
                return true;
            case 5:
                if (end - p < 4) return false;
                p += 4;
                return true;
            case 2:
                if (!varint(v) || v > uint64_t(end - p)) return false;
                body = p;
                len = size_t(v);
                p += v;
                return true;
            default:
                return false;  // groups are not used by ONNX
        }
    }
};

bool walk_tensor(const unsigned char* b, size_t n, const unsigned char* base, ByteSpan& span) {
    Reader r{b, b + n};
    while (r.p < r.end) {
        uint32_t num, wire;
        const unsigned char* body = nullptr;
        size_t len = 0;
        if (!r.field(num, wire, body, len)) return false;
        if (num == 9 && wire == 2) span = {size_t(body - base), len, true};  // last one wins
    }
    return true;
}

bool walk_graph(const unsigned char* b, size_t n, const unsigned char* base, std::vector<ByteSpan>& out) {
    Reader r{b, b + n};
    while (r.p < r.end) {
        uint32_t num, wire;
        const unsigned char* body = nullptr;
        size_t len = 0;
        if (!r.field(num, wire, body, len)) return false;
        if (num == 5 && wire == 2) {
            ByteSpan span;
            if (!walk_tensor(body, len, base, span)) return false;
            out.push_back(span);
        }
    }
    return true;
}

void put_varint(std::vector<unsigned char>& out, uint64_t v) {
    while (v >= 0x80) {
        out.push_back((unsigned char)(v | 0x80));
        v >>= 7;
    }
    out.push_back((unsigned char)v);
}

// Copies the fields of the message [b, b + n) to `out`, except field `skip` (wire type 2);
// a length-delimited field `nested` is copied through `inner` (re-encoding its length).
template <class Inner>
bool copy_fields(const unsigned char* b, size_t n, uint32_t skip, uint32_t nested, Inner&& inner,
                 std::vector<unsigned char>& out) {
    Reader r{b, b + n};
    while (r.p < r.end) {
        const unsigned char* start = r.p;
        uint32_t num, wire;
        const unsigned char* body = nullptr;
        size_t len = 0;
        if (!r.field(num, wire, body, len)) return false;
        if (wire == 2 && num == skip) continue;
        if (wire == 2 && num == nested) {
            std::vector<unsigned char> sub;
            if (!inner(body, len, sub)) return false;
            put_varint(out, (uint64_t(num) << 3) | 2);
            put_varint(out, sub.size());
            out.insert(out.end(), sub.begin(), sub.end());
            continue;
        }
        out.insert(out.end(), start, r.p);
    }
    return true;
}

}  // namespace

bool strip_initializer_raw_data(const unsigned char* data, size_t size, std::vector<unsigned char>& out) {
    out.clear();
    auto none = [](const unsigned char*, size_t, std::vector<unsigned char>&) { return true; };
    auto tensor = [&](const unsigned char* b, size_t n, std::vector<unsigned char>& o) {
        return copy_fields(b, n, 9, 0, none, o);  // TensorProto.raw_data = 9
    };
    auto graph = [&](const unsigned char* b, size_t n, std::vector<unsigned char>& o) {
        return copy_fields(b, n, 0, 5, tensor, o);  // GraphProto.initializer = 5
    };
    return copy_fields(data, size, 0, 7, graph, out);  // ModelProto.graph = 7
}

bool find_initializer_raw_data(const unsigned char* data, size_t size, std::vector<ByteSpan>& out) {
    out.clear();
    Reader r{data, data + size};
    while (r.p < r.end) {
        uint32_t num, wire;
        const unsigned char* body = nullptr;
        size_t len = 0;
        if (!r.field(num, wire, body, len)) return false;
        // Repeated occurrences of the graph field merge: initializers concatenate.
        if (num == 7 && wire == 2 && !walk_graph(body, len, data, out)) return false;
    }
    return true;
}

}  // namespace hfx
