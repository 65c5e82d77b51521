// Small helpers every op file uses: dtype dispatch, axis handling, reading
// integer tensors (shapes, axes), float16 <-> float32 round trips and casts.
#pragma once
#include <cmath>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "runtime/kernel.h"

namespace hfx::rt {

template <class T>
struct Tag {
    using type = T;
};

inline bool is_float(DType t) { return t == DType::f32 || t == DType::f16 || t == DType::f64 || t == DType::bf16; }
inline bool is_int(DType t) {
    return t == DType::i8 || t == DType::i16 || t == DType::i32 || t == DType::i64 || t == DType::u8 ||
           t == DType::u16 || t == DType::u32 || t == DType::u64;
}

// Calls f(Tag<T>{}) for the C++ type of `t` (no bool). f16/bf16 are not
// listed: ops convert them to f32 first (to_compute / from_compute).
template <class F>
void dispatch_numeric(const KernelContext& ctx, DType t, F&& f) {
    switch (t) {
        case DType::f32:
            return f(Tag<float>{});
        case DType::f64:
            return f(Tag<double>{});
        case DType::i64:
            return f(Tag<int64_t>{});
        case DType::i32:
            return f(Tag<int32_t>{});
        case DType::i16:
            return f(Tag<int16_t>{});
        case DType::i8:
            return f(Tag<int8_t>{});
        case DType::u8:
            return f(Tag<uint8_t>{});
        case DType::u16:
            return f(Tag<uint16_t>{});
        case DType::u32:
            return f(Tag<uint32_t>{});
        case DType::u64:
            return f(Tag<uint64_t>{});
        default:
            ctx.fail("unsupported dtype ", dtype_name(t));
    }
}

// Same, plus bool.
template <class F>
void dispatch_all(const KernelContext& ctx, DType t, F&& f) {
    if (t == DType::boolean) return f(Tag<bool>{});
    dispatch_numeric(ctx, t, std::forward<F>(f));
}

// Only float32 / float64 (math functions); f16/bf16 go through f32.
template <class F>
void dispatch_float(const KernelContext& ctx, DType t, F&& f) {
    switch (t) {
        case DType::f32:
            return f(Tag<float>{});
        case DType::f64:
            return f(Tag<double>{});
        default:
            ctx.fail("unsupported dtype ", dtype_name(t));
    }
}

// Elementwise copy by dtype size (for ops that only move data).
void copy_elements(const Tensor& src, int64_t src_index, Tensor& dst, int64_t dst_index, int64_t count);

// f16/bf16 -> f32 (owned); anything else is returned as a shared view.
Tensor to_compute(const Tensor& t);
// f32 results back to `dtype` when it is f16/bf16; otherwise unchanged.
Tensor from_compute(Tensor t, DType dtype);

// Converts any supported dtype to any other (numeric, bool, f16, bf16).
Tensor cast_tensor(const KernelContext& ctx, const Tensor& t, DType to);

// Values of an int32/int64 tensor (shapes, axes, indices, scalars).
std::vector<int64_t> int_values(const KernelContext& ctx, const Tensor& t);
// One float value of a scalar-like tensor (Clip bounds, Pad value).
double scalar_value(const KernelContext& ctx, const Tensor& t);

// Normalises a possibly negative axis into [0, rank); fails naming the node.
int64_t norm_axis(const KernelContext& ctx, int64_t axis, int64_t rank);

// Row-major element strides.
Shape strides_of(const Shape& s);

// Axes of a node: from attribute `name` before `input_since_opset`, from input
// `input_index` at and after it. Empty when absent.
std::vector<int64_t> axes_arg(const KernelContext& ctx, int input_since_opset, size_t input_index,
                              const char* name = "axes");

}  // namespace hfx::rt
