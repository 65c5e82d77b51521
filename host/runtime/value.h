// Value: what a graph value holds at run time, a tensor or (ONNX seq(tensor))
// a sequence of tensors. Sequences are immutable once produced and shared by
// pointer, like tensors share their buffers.
#pragma once
#include <memory>
#include <vector>

#include "core/tensor.h"

namespace hfx::rt {

struct Sequence {
    DType dtype = DType::f32;  // element type (kept for empty sequences)
    std::vector<Tensor> items;
};
using SequencePtr = std::shared_ptr<const Sequence>;

struct Value {
    Tensor tensor;
    SequencePtr sequence;  // set for a sequence value (tensor is then undefined)

    Value() = default;
    Value(Tensor t) : tensor(std::move(t)) {}         // NOLINT: a tensor is a value
    Value(SequencePtr s) : sequence(std::move(s)) {}  // NOLINT
    bool defined() const { return tensor.defined() || sequence != nullptr; }
    bool is_sequence() const { return sequence != nullptr; }
};

}  // namespace hfx::rt
