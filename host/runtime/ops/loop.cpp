#include <limits>

#include "runtime/ops/common.h"

namespace hfx::rt {
// Loop(M?, cond?, v_initial...) with body(iter_num, cond_in, v...) -> (cond_out, v..., scan...):
// runs while iter < M and cond; loop-carried values (tensors or sequences) go from one
// iteration's outputs to the next one's inputs; scan outputs are stacked on a new axis 0.
// iter_num and cond get the rank the body declares for them ([] by the spec; torch
// declares [1], which ONNX Runtime honours too).
void op_loop(KernelContext& ctx) {
    Subgraph& body = ctx.subgraph("body");
    const Model& g = body.graph();
    size_t carried = ctx.num_inputs() < 2 ? 0 : ctx.num_inputs() - 2;
    if (ctx.outputs.size() < carried)
        ctx.fail("has ", std::to_string(carried), " loop-carried inputs but fewer outputs");
    size_t scans = ctx.outputs.size() - carried;
    auto scalar_input = [&](size_t i) {  // declared rank of body input i: 0 or 1
        return i < g.inputs.size() && g.inputs[i].dims.size() == 1 ? Shape{1} : Shape{};
    };
    int64_t trips = std::numeric_limits<int64_t>::max();
    if (ctx.has_input(0)) {
        std::vector<int64_t> m = int_values(ctx, ctx.in(0));
        if (m.size() != 1) ctx.fail("M must hold one value, got shape ", shape_str(ctx.in(0).shape));
        trips = m[0];
    }
    bool cond = true;
    if (ctx.has_input(1)) {
        const Tensor& c = ctx.in(1);
        if (c.dtype != DType::boolean || c.numel() != 1)
            ctx.fail("cond must be one bool, got ", dtype_name(c.dtype), " ", shape_str(c.shape));
        cond = c.ptr<uint8_t>()[0] != 0;
    }
    std::vector<Value> state;
    for (size_t i = 0; i < carried; ++i) state.push_back(ctx.value(2 + i));
    std::vector<std::vector<Tensor>> scanned(scans);
    for (int64_t it = 0; it < trips && cond; ++it) {
        Tensor iter = Tensor::uninitialized(DType::i64, scalar_input(0));
        iter.ptr<int64_t>()[0] = it;
        Tensor c = Tensor::uninitialized(DType::boolean, scalar_input(1));
        c.ptr<uint8_t>()[0] = 1;
        std::vector<Value> in = {iter, c};
        in.insert(in.end(), state.begin(), state.end());
        std::vector<Value> out = body.run(in, ctx.outer);
        if (out.size() != 1 + carried + scans)
            ctx.fail("body has ", std::to_string(out.size()), " outputs, expected ",
                     std::to_string(1 + carried + scans));
        const Tensor& co = out[0].tensor;
        if (co.dtype != DType::boolean || co.numel() != 1) ctx.fail("body's condition output is not one bool");
        cond = co.ptr<uint8_t>()[0] != 0;
        for (size_t i = 0; i < carried; ++i) state[i] = std::move(out[1 + i]);
        for (size_t k = 0; k < scans; ++k) {
            const Value& v = out[1 + carried + k];
            if (v.is_sequence()) ctx.fail("scan output ", std::to_string(k), " is a sequence");
            if (!scanned[k].empty() && (v.tensor.shape != scanned[k][0].shape || v.tensor.dtype != scanned[k][0].dtype))
                ctx.fail("scan output ", std::to_string(k), " changes from ", shape_str(scanned[k][0].shape), " to ",
                         shape_str(v.tensor.shape), " between iterations");
            scanned[k].push_back(v.tensor);
        }
    }
    for (size_t i = 0; i < carried; ++i) ctx.set_output(i, std::move(state[i]));
    for (size_t k = 0; k < scans; ++k) {
        const auto& items = scanned[k];
        if (items.empty()) {  // no iteration: [0] of the declared element type
            const ValueInfo* v = 1 + carried + k < g.outputs.size() ? &g.outputs[1 + carried + k] : nullptr;
            DType t = v && v->dtype != DType::undefined ? v->dtype : DType::f32;
            ctx.outputs[carried + k] = Tensor::empty(t, {0});
            continue;
        }
        Shape s = items[0].shape;
        s.insert(s.begin(), int64_t(items.size()));
        Tensor out = Tensor::uninitialized(items[0].dtype, s);
        int64_t n = items[0].numel();
        for (size_t j = 0; j < items.size(); ++j) copy_elements(items[j], 0, out, int64_t(j) * n, n);
        ctx.outputs[carried + k] = std::move(out);
    }
}
}  // namespace hfx::rt
