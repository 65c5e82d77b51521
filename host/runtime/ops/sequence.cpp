// The seq(tensor) ops: SequenceEmpty, SequenceConstruct, SequenceInsert, SequenceAt,
// SequenceErase, SequenceLength. A sequence is immutable: ops that change one
// return a new one sharing the tensors.
#include "runtime/ops/common.h"

namespace hfx::rt {
namespace {
// A position input (scalar int32/int64) into [0, size + extra), negative from the end.
int64_t position(const KernelContext& ctx, size_t input, int64_t size, int64_t extra) {
    std::vector<int64_t> p = int_values(ctx, ctx.in(input));
    if (p.size() != 1) ctx.fail("position must be one value, got shape ", shape_str(ctx.in(input).shape));
    int64_t pos = p[0] < 0 ? p[0] + size : p[0];
    if (pos < 0 || pos >= size + extra)
        ctx.fail("position ", std::to_string(p[0]), " is out of range for a sequence of ", std::to_string(size));
    return pos;
}
}  // namespace

void op_sequence_empty(KernelContext& ctx) {
    auto s = std::make_shared<Sequence>();
    s->dtype = ctx.node.has("dtype") ? dtype_from_int(int32_t(ctx.node.attr_i("dtype", 1))) : DType::f32;
    if (s->dtype == DType::undefined) ctx.fail("unsupported dtype ", std::to_string(ctx.node.attr_i("dtype", 1)));
    ctx.set_output(0, SequencePtr(std::move(s)));
}

void op_sequence_construct(KernelContext& ctx) {
    auto s = std::make_shared<Sequence>();
    s->dtype = ctx.in(0).dtype;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
        if (ctx.in(i).dtype != s->dtype)
            ctx.fail("input dtypes differ: ", dtype_name(s->dtype), " and ", dtype_name(ctx.in(i).dtype));
        s->items.push_back(ctx.in(i));
    }
    ctx.set_output(0, SequencePtr(std::move(s)));
}

void op_sequence_insert(KernelContext& ctx) {
    const Sequence& in = ctx.seq(0);
    const Tensor& t = ctx.in(1);
    if (!in.items.empty() && t.dtype != in.dtype)
        ctx.fail("tensor of ", dtype_name(t.dtype), " into a sequence of ", dtype_name(in.dtype));
    int64_t size = int64_t(in.items.size());
    int64_t pos = ctx.has_input(2) ? position(ctx, 2, size, 1) : size;
    auto s = std::make_shared<Sequence>(in);
    s->dtype = t.dtype;
    s->items.insert(s->items.begin() + pos, t);
    ctx.set_output(0, SequencePtr(std::move(s)));
}

void op_sequence_at(KernelContext& ctx) {
    const Sequence& in = ctx.seq(0);
    ctx.outputs[0] = in.items[size_t(position(ctx, 1, int64_t(in.items.size()), 0))];
}

void op_sequence_erase(KernelContext& ctx) {
    const Sequence& in = ctx.seq(0);
    int64_t size = int64_t(in.items.size());
    if (size == 0) ctx.fail("cannot erase from an empty sequence");
    int64_t pos = ctx.has_input(1) ? position(ctx, 1, size, 0) : size - 1;
    auto s = std::make_shared<Sequence>(in);
    s->items.erase(s->items.begin() + pos);
    ctx.set_output(0, SequencePtr(std::move(s)));
}

void op_sequence_length(KernelContext& ctx) {
    Tensor out = Tensor::uninitialized(DType::i64, {});
    out.ptr<int64_t>()[0] = int64_t(ctx.seq(0).items.size());
    ctx.outputs[0] = std::move(out);
}
}  // namespace hfx::rt
