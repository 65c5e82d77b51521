// Helpers of the selftest checks: slicing outputs along an axis, comparing
// output sets, and checking output shapes against their declared axes.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "core/ir.h"
#include "validate/dummy_inputs.h"

namespace hfx::selftest {

using Tensors = std::map<std::string, Tensor>;

// t[begin:end] along `axis` (owned copy, any dtype).
Tensor slice(const Tensor& t, int64_t axis, int64_t begin, int64_t end);

// An axis of the sequence being fed ("sequence"), or of the whole attended
// sequence ("past_sequence + sequence").
bool is_sequence_axis(const Dim& d);
bool is_total_sequence_axis(const Dim& d);

// An axis counting batch entries: a name ending in "batch" ("batch",
// "text_batch", "image_batch" of CLIP) or a product with one ("batch*4", Bloom's
// fused batch and heads, batch-major). `per_entry` (may be null) gets the
// product of the other factors: entry b spans [b * per_entry, (b + 1) * per_entry).
bool is_batch_axis(const Dim& d, const DimBindings& dims, int64_t* per_entry);

// t restricted to batch entries [begin, end) on every batch axis of `axes`.
Tensor batch_entries(const Tensor& t, const std::vector<Dim>& axes, const DimBindings& dims, int64_t begin,
                     int64_t end);

// Throws "output 'x': shape (..) does not match its declared axes [..] (..)"
// for every output whose rank, fixed sizes or bound symbolic sizes differ.
void check_declared_shapes(const std::vector<ValueInfo>& outputs, const Tensors& got, const DimBindings& dims);

// Largest |a - b| over `names` (exact equality for non-float outputs: 0 or
// inf). Throws when an output is missing or shapes differ. `worst` names it.
double max_diff(const std::vector<std::string>& names, const Tensors& a, const Tensors& b, std::string* worst);

std::string fmt(double v);
std::string axes_str(const std::vector<Dim>& dims);

}  // namespace hfx::selftest
