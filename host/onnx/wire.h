// A minimal protobuf wire-format walker: finds where each graph initializer's
// raw_data bytes sit inside a serialized ModelProto, so tensors can view the
// mapped file instead of copying the bytes protobuf parsed.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace hfx {

struct ByteSpan {
    size_t offset = 0;  // from the start of the buffer
    size_t size = 0;
    bool present = false;
};

// One entry per GraphProto.initializer (ModelProto.graph = 7, GraphProto.initializer = 5,
// TensorProto.raw_data = 9), in the order protobuf's parser sees them. Returns false
// on malformed input (the caller reports it).
bool find_initializer_raw_data(const unsigned char* data, size_t size, std::vector<ByteSpan>& out);

// A copy of a serialized ModelProto without the graph initializers' raw_data
// fields (the same spans find_initializer_raw_data reports), so protobuf parses the
// structure without copying the weights. Returns false on malformed input.
bool strip_initializer_raw_data(const unsigned char* data, size_t size, std::vector<unsigned char>& out);

}  // namespace hfx
