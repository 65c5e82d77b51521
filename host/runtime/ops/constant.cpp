#include "runtime/ops/common.h"

namespace hfx::rt {
// value (tensor) or, from opset 12, value_float(s) / value_int(s).
void op_constant(KernelContext& ctx) {
    const Node& n = ctx.node;
    if (n.has("value")) {
        ctx.outputs[0] = n.attrs.at("value").t;
    } else if (n.has("value_float")) {
        ctx.outputs[0] = Tensor::from(DType::f32, {}, std::vector<float>{n.attr_f("value_float", 0)});
    } else if (n.has("value_floats")) {
        const auto& v = n.attrs.at("value_floats").floats;
        ctx.outputs[0] = Tensor::from(DType::f32, {int64_t(v.size())}, v);
    } else if (n.has("value_int")) {
        ctx.outputs[0] = Tensor::from(DType::i64, {}, std::vector<int64_t>{n.attr_i("value_int", 0)});
    } else if (n.has("value_ints")) {
        const auto& v = n.attrs.at("value_ints").ints;
        ctx.outputs[0] = Tensor::from(DType::i64, {int64_t(v.size())}, v);
    } else {
        ctx.fail("no supported value attribute (string and sparse values are not supported)");
    }
}
}  // namespace hfx::rt
