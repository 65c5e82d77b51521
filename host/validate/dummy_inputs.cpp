#include "validate/dummy_inputs.h"

#include <random>

#include "core/error.h"

namespace hfx {

DimBindings validation_dims() {
    return {{"batch", 3},
            {"sequence", 9},
            {"choice", 3},
            {"past_sequence", 4},
            {"decoder_sequence", 6},
            {"encoder_sequence", 9},
            {"past_decoder_sequence", 4}};
}

DimBindings second_validation_dims() {
    return {{"batch", 2},
            {"sequence", 5},
            {"choice", 2},
            {"past_sequence", 0},
            {"decoder_sequence", 3},
            {"encoder_sequence", 7},
            {"past_decoder_sequence", 0}};
}

namespace {

// Row r keeps its first n - (r % 3) positions (at least 1): right padding of varied length.
Tensor make_mask(const Shape& shape) {
    Tensor t = Tensor::empty(DType::i64, shape);
    int64_t cols = shape.empty() ? 1 : shape.back(), rows = t.numel() / std::max<int64_t>(cols, 1);
    for (int64_t r = 0; r < rows; ++r) {
        int64_t valid = std::max<int64_t>(1, cols - (r % 3));
        for (int64_t c = 0; c < cols; ++c) t.ptr<int64_t>()[r * cols + c] = c < valid ? 1 : 0;
    }
    return t;
}

// cumsum(mask) - 1 over the last `cols` mask positions, 1 on padding (HF generate()).
Tensor make_positions(const Shape& shape, const Tensor* mask) {
    Tensor t = Tensor::empty(DType::i64, shape);
    int64_t cols = shape.back(), rows = t.numel() / std::max<int64_t>(cols, 1);
    for (int64_t r = 0; r < rows; ++r) {
        if (!mask || mask->shape.back() < cols) {
            for (int64_t c = 0; c < cols; ++c) t.ptr<int64_t>()[r * cols + c] = c;
            continue;
        }
        int64_t mcols = mask->shape.back(), past = mcols - cols, sum = 0;
        const int64_t* m = mask->ptr<int64_t>() + r * mcols;
        for (int64_t c = 0; c < mcols; ++c) {
            sum += m[c];
            if (c >= past) t.ptr<int64_t>()[r * cols + c - past] = m[c] ? sum - 1 : 1;
        }
    }
    return t;
}

}  // namespace

void end_rows_with(Tensor& ids, const Tensor* mask, const DummySpec& spec) {
    if (ids.dtype != DType::i64) fail("dummy ids ending with ", std::to_string(spec.end), ": expected int64 ids");
    if (mask && mask->shape != ids.shape) mask = nullptr;
    int64_t cols = ids.shape.empty() ? 1 : ids.shape.back(), rows = ids.numel() / std::max<int64_t>(cols, 1);
    int64_t other = spec.end == spec.low ? spec.low + 1 : spec.low;
    for (int64_t r = 0; r < rows; ++r) {
        int64_t* row = ids.ptr<int64_t>() + r * cols;
        int64_t valid = cols;
        if (mask) {
            valid = 0;
            for (int64_t c = 0; c < cols; ++c)
                if (mask->ptr<int64_t>()[r * cols + c]) valid = c + 1;
        }
        for (int64_t c = 0; c < cols; ++c)
            if (row[c] == spec.end) row[c] = other;
        if (valid > 0) row[valid - 1] = spec.end;
    }
}

std::map<std::string, Tensor> make_dummy_inputs(const Model& model, const DimBindings& dims, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::map<std::string, Tensor> out;
    // Masks first: positions are derived from them.
    for (int pass = 0; pass < 2; ++pass) {
        for (const ValueInfo& in : model.inputs) {
            bool is_mask = in.dummy.kind == DummySpec::Mask;
            if ((pass == 0) != is_mask) continue;
            Shape shape;
            for (const Dim& d : in.dims) shape.push_back(resolve_dim(d, dims));
            Tensor t = Tensor::empty(in.dtype, shape);
            int64_t n = t.numel();
            switch (in.dummy.kind) {
                case DummySpec::Mask:
                    t = make_mask(shape);
                    break;
                case DummySpec::Positions: {
                    const Tensor* mask = out.count("attention_mask") ? &out.at("attention_mask") : nullptr;
                    t = make_positions(shape, mask);
                    break;
                }
                case DummySpec::IdsEnding:
                case DummySpec::Ids: {
                    std::uniform_int_distribution<int64_t> u(in.dummy.low, std::max(in.dummy.low, in.dummy.high - 1));
                    for (int64_t k = 0; k < n; ++k) {
                        if (in.dtype == DType::i32) t.ptr<int32_t>()[k] = int32_t(u(rng));
                        else t.ptr<int64_t>()[k] = u(rng);
                    }
                    if (in.dummy.kind == DummySpec::IdsEnding)
                        end_rows_with(t, out.count("attention_mask") ? &out.at("attention_mask") : nullptr, in.dummy);
                    break;
                }
                case DummySpec::Constant:
                    for (int64_t k = 0; k < n; ++k) {
                        if (in.dtype == DType::f32) t.ptr<float>()[k] = float(in.dummy.low);
                        else t.ptr<int64_t>()[k] = in.dummy.low;
                    }
                    break;
                case DummySpec::Boxes: {
                    std::uniform_int_distribution<int64_t> u(0, std::max<int64_t>(1, in.dummy.high) - 1);
                    for (int64_t k = 0; k + 3 < n; k += 4) {
                        int64_t x0 = u(rng), x1 = u(rng), y0 = u(rng), y1 = u(rng);
                        int64_t* p = t.ptr<int64_t>() + k;
                        p[0] = std::min(x0, x1), p[1] = std::min(y0, y1), p[2] = std::max(x0, x1),
                        p[3] = std::max(y0, y1);
                    }
                    break;
                }
                case DummySpec::Normal:
                case DummySpec::None: {
                    if (in.dtype != DType::f32)
                        fail("input '", in.name, "': no dummy recipe for ", dtype_name(in.dtype));
                    std::normal_distribution<float> nd(0.f, 1.f);
                    for (int64_t k = 0; k < n; ++k) t.ptr<float>()[k] = nd(rng);
                    break;
                }
            }
            out[in.name] = std::move(t);
        }
    }
    return out;
}

}  // namespace hfx
