// The explicit kernel table: (domain, op, since..until) -> function. One
// function per ops/<op>.cpp; version differences inside a range (attribute vs
// input axes, ...) are handled by the op reading ctx.opset.
#include "runtime/kernel.h"

#include "runtime/ops/ops.h"

namespace hfx::rt {

const Tensor& KernelContext::in(size_t i) const {
    if (!has_input(i)) fail("input ", std::to_string(i), " is required");
    if (is_sequence(i)) fail("input ", std::to_string(i), " is a sequence, expected a tensor");
    return *inputs[i];
}

const Sequence& KernelContext::seq(size_t i) const {
    if (!has_input(i)) fail("input ", std::to_string(i), " is required");
    if (!is_sequence(i)) fail("input ", std::to_string(i), " is a tensor, expected a sequence");
    return *seq_inputs[i];
}

Value KernelContext::value(size_t i) const {
    if (is_sequence(i)) return Value(seq_inputs[i]);
    return has_input(i) ? Value(*inputs[i]) : Value();
}

void KernelContext::set_output(size_t i, Value v) {
    if (i >= outputs.size()) fail("output ", std::to_string(i), " does not exist");
    if (v.is_sequence()) {
        seq_outputs.resize(outputs.size());
        seq_outputs[i] = std::move(v.sequence);
        outputs[i] = Tensor();
    } else {
        outputs[i] = std::move(v.tensor);
        if (i < seq_outputs.size()) seq_outputs[i] = nullptr;
    }
}

Subgraph& KernelContext::subgraph(const std::string& attr) const {
    for (const auto& [name, g] : subgraphs)
        if (name == attr && g) return *g;
    fail("graph attribute '", attr, "' is missing");
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
        // fused steps the fusion passes plan (fuse/), never a model's own nodes
        {kFusedDomain, "Linear", 1, 1, op_fused_linear},
        {kFusedDomain, "LayerNorm", 1, 1, op_fused_layer_norm},
        {kFusedDomain, "Gelu", 1, 1, op_fused_gelu},
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
        {"", "NonZero", 9, last, op_non_zero},
        {"", "GatherND", 11, last, op_gather_nd},
        {"", "DepthToSpace", 1, last, op_depth_to_space},
        // sequences and control flow
        {"", "SequenceEmpty", 11, last, op_sequence_empty},
        {"", "SequenceConstruct", 11, last, op_sequence_construct},
        {"", "SequenceInsert", 11, last, op_sequence_insert},
        {"", "SequenceAt", 11, last, op_sequence_at},
        {"", "SequenceErase", 11, last, op_sequence_erase},
        {"", "SequenceLength", 11, last, op_sequence_length},
        {"", "SplitToSequence", 11, last, op_split_to_sequence},
        {"", "ConcatFromSequence", 11, last, op_concat_from_sequence},
        {"", "Loop", 1, last, op_loop},
        {"", "If", 1, last, op_if},
        {"", "SequenceMap", 17, last, op_sequence_map},
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
        {"", "GlobalAveragePool", 1, last, op_global_average_pool},
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
