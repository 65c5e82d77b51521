// The basic layers, each the ONNX form of its torch.nn / HF counterpart.
// Option structs take designated initializers: linear(vb, x, {.bias = false}).
#pragma once
#include <string>

#include "hfx/ops.h"
#include "hfx/weights.h"

namespace hfx {

struct LinearOptions {
    int64_t in = -1;   // expected in_features (-1: not checked)
    int64_t out = -1;  // expected out_features
    bool bias = true;
    bool conv1d = false;  // GPT-2's Conv1D stores weight as [in, out]
};

// nn.Linear: y = x W^T + b, with W [out, in] under `<prefix>.weight`.
inline Value linear(const Weights& vb, Value x, LinearOptions o = {}) {
    auto s = vb.scope();
    Value w = o.conv1d ? vb.get("weight", {o.in, o.out}) : vb.get("weight", {o.out, o.in});
    Value y = matmul(x, o.conv1d ? w : transpose(w, {1, 0}));
    if (!o.bias) return y;
    return y + vb.get("bias", {o.out});
}

struct NormOptions {
    int64_t dim = -1;
    double eps = 1e-5;
    bool bias = true;
    std::string weight = "weight";  // some checkpoints say "gamma"/"beta"
    std::string bias_name = "bias";
};

// nn.LayerNorm over the last axis.
inline Value layer_norm(const Weights& vb, Value x, NormOptions o = {}) {
    auto s = vb.scope();
    Value w = vb.get(o.weight, {o.dim});
    Value b = o.bias ? vb.get(o.bias_name, {o.dim})
                     : x.g->constant_f32(std::vector<float>(size_t(vb.shape(o.weight)[0]), 0.f));
    return layer_norm_op(x, w, b, float(o.eps));
}

struct RmsNormOptions {
    int64_t dim = -1;
    double eps = 1e-6;
    bool unit_offset = false;  // Gemma scales by (1 + w)
    std::string weight = "weight";
};

// RMSNorm as Llama/T5 write it: x * rsqrt(mean(x^2) + eps) * w, in float32.
inline Value rms_norm(const Weights& vb, Value x, RmsNormOptions o = {}) {
    auto s = vb.scope();
    Value w = vb.get(o.weight, {o.dim});
    Value var = reduce_mean(pow(x, 2.f), {-1});
    Value y = x / sqrt(var + float(o.eps));
    return y * (o.unit_offset ? w + 1.f : w);
}

// nn.Embedding: rows of `<prefix>.weight` [num, dim] at `ids`.
inline Value embedding(const Weights& vb, Value ids, int64_t num = -1, int64_t dim = -1) {
    auto s = vb.scope();
    return gather(vb.get("weight", {num, dim}), ids, 0);
}

// HF's ACT2FN by name.
inline Value activation(Value x, const std::string& name) {
    Graph& g = *x.g;
    if (name == "gelu" || name == "gelu_python")  // exact, erf-based
        return x * (erf(x * float(1.0 / std::sqrt(2.0))) + 1.f) * 0.5f;
    if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast") {
        // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        Value inner = (x + pow(x, 3.f) * 0.044715f) * float(std::sqrt(2.0 / M_PI));
        return x * (tanh(inner) + 1.f) * 0.5f;
    }
    if (name == "quick_gelu") return x * sigmoid(x * 1.702f);
    if (name == "relu") return relu(x);
    if (name == "silu" || name == "swish") return x * sigmoid(x);
    if (name == "tanh") return tanh(x);
    if (name == "sigmoid") return sigmoid(x);
    if (name == "linear" || name == "identity") return x;
    if (name == "mish") return x * tanh(log(exp(x) + 1.f));
    (void)g;
    throw Error("config key 'hidden_act': activation '" + name + "' is not supported");
}

}  // namespace hfx
