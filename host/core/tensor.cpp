#include "core/tensor.h"

#include <cstdlib>

#include "core/checked.h"
#include "core/error.h"

namespace hfx {

size_t dtype_size(DType t) {
    switch (t) {
        case DType::f32:
        case DType::i32:
        case DType::u32:
            return 4;
        case DType::u8:
        case DType::i8:
        case DType::boolean:
            return 1;
        case DType::u16:
        case DType::i16:
        case DType::f16:
        case DType::bf16:
            return 2;
        case DType::i64:
        case DType::f64:
        case DType::u64:
            return 8;
        default:
            return 0;
    }
}

const char* dtype_name(DType t) {
    switch (t) {
        case DType::f32:
            return "float32";
        case DType::u8:
            return "uint8";
        case DType::i8:
            return "int8";
        case DType::u16:
            return "uint16";
        case DType::i16:
            return "int16";
        case DType::i32:
            return "int32";
        case DType::i64:
            return "int64";
        case DType::boolean:
            return "bool";
        case DType::f16:
            return "float16";
        case DType::f64:
            return "float64";
        case DType::u32:
            return "uint32";
        case DType::u64:
            return "uint64";
        case DType::bf16:
            return "bfloat16";
        default:
            return "undefined";
    }
}

DType dtype_from_int(int32_t code) {
    DType t = DType(code);
    return dtype_size(t) ? t : DType::undefined;
}

int64_t shape_numel(const Shape& s) {
    int64_t n = 0;
    if (!checked_numel(s, &n)) {
        for (int64_t d : s)
            if (d < 0) fail("shape ", shape_str(s), ": negative dimension");
        fail("shape ", shape_str(s), ": element count overflows int64");
    }
    return n;
}

size_t shape_nbytes(const Shape& s, DType t) {
    size_t bytes = 0;
    if (!checked_nbytes(s, dtype_size(t), &bytes)) {
        shape_numel(s);  // names a negative dimension or an element count overflow
        fail("shape ", shape_str(s), ": ", dtype_name(t), " byte size overflows int64");
    }
    return bytes;
}

std::string shape_str(const Shape& s) {
    std::string out = "(";
    for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + (s.size() == 1 ? ",)" : ")");
}

namespace {
thread_local TensorAllocator* t_allocator = nullptr;
}

void set_thread_tensor_allocator(TensorAllocator* allocator) { t_allocator = allocator; }

Tensor Tensor::uninitialized(DType dtype, Shape shape) {
    for (int64_t d : shape)
        if (d < 0) fail("tensor: negative dimension in shape ", shape_str(shape));
    Tensor t;
    t.dtype = dtype;
    t.shape = std::move(shape);
    size_t bytes = t.nbytes();
    if (t_allocator) {
        t.owner = t_allocator->allocate(bytes);
        t.data = t.owner.get();
        return t;
    }
    // 64-byte alignment suits every SIMD width Eigen uses.
    void* p = std::aligned_alloc(64, ((bytes + 63) / 64) * 64 + 64);
    if (!p) fail("tensor: out of memory allocating ", std::to_string(bytes), " bytes");
    t.owner = std::shared_ptr<void>(p, std::free);
    t.data = p;
    return t;
}

Tensor Tensor::empty(DType dtype, Shape shape) {
    Tensor t = uninitialized(dtype, std::move(shape));
    std::memset(t.data, 0, t.nbytes());
    return t;
}

Tensor Tensor::view(DType dtype, Shape shape, const void* data, std::shared_ptr<void> owner) {
    Tensor t;
    t.dtype = dtype;
    t.shape = std::move(shape);
    t.data = const_cast<void*>(data);
    t.owner = std::move(owner);
    return t;
}

Tensor Tensor::clone() const {
    Tensor t = empty(dtype, shape);
    if (nbytes()) std::memcpy(t.data, data, nbytes());
    return t;
}

Tensor Tensor::reshaped(Shape s) const {
    Tensor t = *this;
    t.shape = std::move(s);
    return t;
}

Tensor Tensor::to_f32() const {
    if (dtype == DType::f32) return *this;
    Tensor t = empty(DType::f32, shape);
    float* out = t.ptr<float>();
    int64_t n = numel();
    if (dtype == DType::f16) {
        auto in = ptr<uint16_t>();
        for (int64_t i = 0; i < n; ++i) out[i] = half_to_float(in[i]);
    } else if (dtype == DType::bf16) {
        auto in = ptr<uint16_t>();
        for (int64_t i = 0; i < n; ++i) out[i] = bf16_to_float(in[i]);
    } else if (dtype == DType::f64) {
        auto in = ptr<double>();
        for (int64_t i = 0; i < n; ++i) out[i] = float(in[i]);
    } else {
        fail("tensor: cannot convert ", dtype_name(dtype), " to float32");
    }
    return t;
}

float half_to_float(uint16_t h) {
    uint32_t sign = uint32_t(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff, bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else {  // subnormal: normalise
            exp = 127 - 15 + 1;
            while (!(mant & 0x400)) {
                mant <<= 1;
                --exp;
            }
            bits = sign | (exp << 23) | ((mant & 0x3ff) << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000 | (mant << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

uint16_t float_to_half(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000;
    int32_t exp = int32_t((x >> 23) & 0xff) - 127 + 15;
    uint32_t mant = x & 0x7fffff;
    if (((x >> 23) & 0xff) == 0xff) return uint16_t(sign | 0x7c00 | (mant ? 0x200 : 0));
    if (exp >= 31) return uint16_t(sign | 0x7c00);
    if (exp <= 0) {
        if (exp < -10) return uint16_t(sign);
        mant |= 0x800000;
        uint32_t shift = uint32_t(14 - exp);
        uint32_t half = mant >> shift, rem = mant & ((1u << shift) - 1), mid = 1u << (shift - 1);
        if (rem > mid || (rem == mid && (half & 1))) ++half;
        return uint16_t(sign | half);
    }
    uint32_t half = sign | (uint32_t(exp) << 10) | (mant >> 13), rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (half & 1))) ++half;  // round to nearest even
    return uint16_t(half);
}

float bf16_to_float(uint16_t h) {
    uint32_t bits = uint32_t(h) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

}  // namespace hfx
