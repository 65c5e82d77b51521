#include "runtime/ops/common.h"

namespace hfx::rt {
// SequenceMap(seq, extra...): body(seq[i], extra_i...) for each item, where a sequence
// extra gives its i-th item and a tensor is passed as is; output j collects the
// body's output j of every iteration into a sequence.
void op_sequence_map(KernelContext& ctx) {
    Subgraph& body = ctx.subgraph("body");
    const Sequence& seq = ctx.seq(0);
    size_t count = seq.items.size();
    for (size_t a = 1; a < ctx.num_inputs(); ++a)
        if (ctx.is_sequence(a) && ctx.seq(a).items.size() != count)
            ctx.fail("input ", std::to_string(a), " has ", std::to_string(ctx.seq(a).items.size()),
                     " items, the sequence ", std::to_string(count));
    std::vector<std::shared_ptr<Sequence>> outs;
    for (size_t j = 0; j < ctx.outputs.size(); ++j) {
        outs.push_back(std::make_shared<Sequence>());
        const auto& declared = body.graph().outputs;
        if (j < declared.size() && declared[j].dtype != DType::undefined) outs[j]->dtype = declared[j].dtype;
    }
    for (size_t i = 0; i < count; ++i) {
        std::vector<Value> in = {seq.items[i]};
        for (size_t a = 1; a < ctx.num_inputs(); ++a)
            in.push_back(ctx.is_sequence(a) ? Value(ctx.seq(a).items[i]) : ctx.value(a));
        std::vector<Value> out = body.run(in, ctx.outer);
        if (out.size() != outs.size())
            ctx.fail("body has ", std::to_string(out.size()), " outputs, the node ", std::to_string(outs.size()));
        for (size_t j = 0; j < out.size(); ++j) {
            if (out[j].is_sequence()) ctx.fail("body output ", std::to_string(j), " is a sequence");
            outs[j]->dtype = out[j].tensor.dtype;
            outs[j]->items.push_back(out[j].tensor);
        }
    }
    for (size_t j = 0; j < outs.size(); ++j) ctx.set_output(j, SequencePtr(outs[j]));
}
}  // namespace hfx::rt
