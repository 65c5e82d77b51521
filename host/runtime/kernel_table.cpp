// The explicit kernel table: (domain, op, since..until) -> function. One
// function per ops/<op>.cpp; version differences inside a range (attribute vs
// input axes, ...) are handled by the op reading ctx.opset.
#include "runtime/kernel.h"

#include "runtime/ops/ops.h"

namespace hfx::rt {

const Tensor& KernelContext::in(size_t i) const {
    if (!has_input(i)) fail("input ", std::to_string(i), " is required");
    return *inputs[i];
}

const std::vector<KernelEntry>& kernel_table() {
    constexpr int last = 21;  // newest opset whose semantics these kernels follow
    static const std::vector<KernelEntry> table = {
        // elementwise arithmetic
        {"", "Add", 7, last, op_add},
        {"", "Sub", 7, last, op_sub},
        {"", "Mul", 7, last, op_mul},
        {"", "Div", 7, last, op_div},
        {"", "Pow", 7, last, op_pow},
        {"", "Mod", 10, last, op_mod},
        {"", "Max", 8, last, op_max},
        {"", "Min", 8, last, op_min},
        {"", "Sum", 8, last, op_sum},
        // comparison and logic
        {"", "Equal", 7, last, op_equal},
        {"", "Less", 7, last, op_less},
        {"", "LessOrEqual", 12, last, op_less_or_equal},
        {"", "Greater", 7, last, op_greater},
        {"", "GreaterOrEqual", 12, last, op_greater_or_equal},
        {"", "And", 7, last, op_and},
        {"", "Or", 7, last, op_or},
        {"", "Xor", 7, last, op_xor},
        {"", "Not", 1, last, op_not},
        {"", "Where", 9, last, op_where},
        // unary math
        {"", "Sqrt", 6, last, op_sqrt},
        {"", "Erf", 9, last, op_erf},
        {"", "Tanh", 6, last, op_tanh},
        {"", "Sigmoid", 6, last, op_sigmoid},
        {"", "Relu", 6, last, op_relu},
        {"", "Exp", 6, last, op_exp},
        {"", "Log", 6, last, op_log},
        {"", "Neg", 6, last, op_neg},
        {"", "Abs", 6, last, op_abs},
        {"", "Reciprocal", 6, last, op_reciprocal},
        {"", "Floor", 6, last, op_floor},
        {"", "Ceil", 6, last, op_ceil},
        {"", "Round", 11, last, op_round},
        {"", "Sign", 9, last, op_sign},
        {"", "Sin", 7, last, op_sin},
        {"", "Cos", 7, last, op_cos},
        {"", "IsNaN", 9, last, op_is_nan},
        {"", "Clip", 6, last, op_clip},
        {"", "Gelu", 20, last, op_gelu},
        {"com.microsoft", "Gelu", 1, 1, op_gelu},
        // shape and data movement
        {"", "Shape", 1, last, op_shape},
        {"", "Size", 1, last, op_size},
        {"", "Gather", 1, last, op_gather},
        {"", "GatherElements", 11, last, op_gather_elements},
        {"", "ScatterND", 11, 17, op_scatter_nd},
        {"", "Unsqueeze", 1, last, op_unsqueeze},
        {"", "Squeeze", 1, last, op_squeeze},
        {"", "Concat", 4, last, op_concat},
        {"", "Slice", 1, last, op_slice},
        {"", "Reshape", 5, last, op_reshape},
        {"", "Transpose", 1, last, op_transpose},
        {"", "Expand", 8, last, op_expand},
        {"", "Tile", 6, last, op_tile},
        {"", "Split", 2, last, op_split},
        {"", "Flatten", 1, last, op_flatten},
        {"", "Cast", 6, last, op_cast},
        {"", "CastLike", 15, last, op_cast_like},
        {"", "ConstantOfShape", 9, last, op_constant_of_shape},
        {"", "Constant", 1, last, op_constant},
        {"", "Identity", 1, last, op_identity},
        {"", "Dropout", 7, last, op_dropout},
        {"", "Range", 11, last, op_range},
        {"", "Trilu", 14, last, op_trilu},
        {"", "CumSum", 11, last, op_cumsum},
        {"", "Pad", 2, last, op_pad},
        // compute
        {"", "MatMul", 1, last, op_matmul},
        {"", "Gemm", 7, last, op_gemm},
        {"", "Softmax", 1, last, op_softmax},
        {"", "LogSoftmax", 1, last, op_log_softmax},
        {"", "LayerNormalization", 17, last, op_layer_normalization},
        {"", "ReduceSum", 1, last, op_reduce_sum},
        {"", "ReduceMean", 1, last, op_reduce_mean},
        {"", "ReduceMax", 1, last, op_reduce_max},
        {"", "ReduceMin", 1, last, op_reduce_min},
        {"", "ReduceProd", 1, last, op_reduce_prod},
        {"", "ReduceL2", 1, last, op_reduce_l2},
        {"", "ArgMax", 1, last, op_arg_max},
        {"", "ArgMin", 1, last, op_arg_min},
        {"", "TopK", 1, last, op_top_k},
        {"", "Conv", 1, last, op_conv},
        {"", "Einsum", 12, last, op_einsum},
    };
    return table;
}

const KernelEntry* find_kernel(const std::string& domain, const std::string& op, int64_t opset) {
    for (const auto& k : kernel_table())
        if (op == k.op && domain == k.domain && opset >= k.since && opset <= k.until) return &k;
    return nullptr;
}

}  // namespace hfx::rt
