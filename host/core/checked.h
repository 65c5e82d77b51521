// Element counts and byte sizes of shapes that come from files or from a
// graph's own arithmetic: a product that wraps around must be an error, never a
// small number (2^62 float32 values are 2^64 bytes, which size_t reads as 0, and
// a mapping or a loop then goes past its buffer). Every reader, the ONNX loader
// and the runtime's shape computations use these, so the limit is one rule:
// counts and byte sizes fit in int64.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace hfx {

// a * b, false when it overflows int64.
inline bool checked_mul(int64_t a, int64_t b, int64_t* out) { return !__builtin_mul_overflow(a, b, out); }

// The number of elements of `shape`; false for a negative dimension or a
// product over int64.
inline bool checked_numel(const std::vector<int64_t>& shape, int64_t* out) {
    int64_t n = 1;
    for (int64_t d : shape)
        if (d < 0 || !checked_mul(n, d, &n)) return false;
    *out = n;
    return true;
}

// numel(shape) * elem_size bytes; false as above or when the bytes exceed int64.
inline bool checked_nbytes(const std::vector<int64_t>& shape, size_t elem_size, size_t* out) {
    int64_t n = 0, bytes = 0;
    if (!checked_numel(shape, &n) || !checked_mul(n, int64_t(elem_size), &bytes)) return false;
    *out = size_t(bytes);
    return true;
}

}  // namespace hfx
