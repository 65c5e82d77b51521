// Tensor: dtype + shape + a pointer into memory someone keeps alive.
// The same type holds weights mapped from a checkpoint (a view, no copy),
// runtime activations (owned buffers) and inputs/outputs of a Session.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace hfx {

// Values are ONNX TensorProto.DataType codes, so they cross every boundary as is.
enum class DType : int32_t {
    undefined = 0,
    f32 = 1,
    u8 = 2,
    i8 = 3,
    u16 = 4,
    i16 = 5,
    i32 = 6,
    i64 = 7,
    boolean = 9,
    f16 = 10,
    f64 = 11,
    u32 = 12,
    u64 = 13,
    bf16 = 16,
};

size_t dtype_size(DType t);
const char* dtype_name(DType t);     // "float32", "int64", ...
DType dtype_from_int(int32_t code);  // undefined when not a known code

using Shape = std::vector<int64_t>;
// Both fail (hfx::Error) on a negative dimension or a count / byte size over int64.
int64_t shape_numel(const Shape& s);
size_t shape_nbytes(const Shape& s, DType t);
std::string shape_str(const Shape& s);  // "(2, 7)"

// Where Tensor::empty / Tensor::uninitialized get their memory on this thread:
// the runtime installs its session's buffer pool while a run is in progress;
// nullptr (the default) is the heap.
struct TensorAllocator {
    virtual ~TensorAllocator() = default;
    // 64-byte aligned, at least `bytes`; the deleter in the returned owner frees or recycles it.
    virtual std::shared_ptr<void> allocate(size_t bytes) = 0;
};
void set_thread_tensor_allocator(TensorAllocator* allocator);

struct Tensor {
    DType dtype = DType::undefined;
    Shape shape;
    void* data = nullptr;
    std::shared_ptr<void> owner;  // keeps `data` alive: a buffer or a mapping
    bool file_backed = false;     // `data` is inside a read-only file mapping

    static Tensor empty(DType dtype, Shape shape);          // zero-filled, owned
    static Tensor uninitialized(DType dtype, Shape shape);  // owned, contents unspecified
    static Tensor view(DType dtype, Shape shape, const void* data, std::shared_ptr<void> owner);
    template <class T>
    static Tensor from(DType dtype, Shape shape, const std::vector<T>& values) {
        Tensor t = empty(dtype, std::move(shape));
        if (t.nbytes()) std::memcpy(t.data, values.data(), t.nbytes());  // an empty vector's data() may be null
        return t;
    }

    int64_t numel() const { return shape_numel(shape); }
    size_t nbytes() const { return shape_nbytes(shape, dtype); }
    int64_t rank() const { return int64_t(shape.size()); }
    bool defined() const { return dtype != DType::undefined; }
    template <class T>
    T* ptr() {
        return static_cast<T*>(data);
    }
    template <class T>
    const T* ptr() const {
        return static_cast<const T*>(data);
    }

    Tensor clone() const;            // owned deep copy
    Tensor to_f32() const;           // f16/bf16/f64 -> f32 (owned); f32 -> shared view
    Tensor reshaped(Shape s) const;  // same data, new shape
};

float half_to_float(uint16_t h);
uint16_t float_to_half(float f);
float bf16_to_float(uint16_t h);

}  // namespace hfx
