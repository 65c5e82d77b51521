// Qwen2-MoE (Qwen1.5-MoE, Qwen2-57B-A14B), following transformers 4.40.2
// models/qwen2_moe/modeling_qwen2_moe.py (Qwen2MoeModel, Qwen2MoeForCausalLM,
// Qwen2MoeForSequenceClassification), eager attention: Qwen2's attention (q/k/v biases, eager
// sliding-window mask) with a sparse mixture of experts plus a sigmoid-gated shared expert.
#include <hfx/blocks/moe.h>
#include <hfx/blocks/rotary_decoder.h>
#include <hfx/hfx.h>

#include <set>

using namespace hfx;

namespace {

struct Qwen2MoeConfig {
    RotaryDims dims;
    int64_t experts, top_k, moe_inter, shared_inter, sparse_step, window = 0;
    double eps;
    bool norm_topk;
    std::string act;
    std::set<int64_t> mlp_only;
    RotaryOptions rope;
    explicit Qwen2MoeConfig(const Config& c)
        : dims(rotary_dims(c, {.kv_heads = 16})), experts(c.i("num_experts", 60)), top_k(c.i("num_experts_per_tok", 4)),
          moe_inter(c.i("moe_intermediate_size", 1408)), shared_inter(c.i("shared_expert_intermediate_size", 5632)),
          sparse_step(c.i("decoder_sparse_step", 1)), eps(c.f("rms_norm_eps", 1e-6)),
          norm_topk(c.b("norm_topk_prob", false)), act(c.s("hidden_act", "silu")) {
        if (sparse_step < 1)
            throw Error("config key 'decoder_sparse_step': must be at least 1 for model type 'qwen2_moe'");
        // As Qwen2's eager path: the mask always carries config.sliding_window (a query sees itself and
        // sliding_window keys back); use_sliding_window / max_window_layers only steer flash attention.
        if (c.i("sliding_window", 4096) > 0) window = c.i("sliding_window", 4096) + 1;
        // mlp_only_layers (transformers >= 4.41; 4.40.2 has no such key): dense MLP in those layers.
        for (size_t k = 0, n = c.size("mlp_only_layers"); k < n; ++k)
            mlp_only.insert(c.i("mlp_only_layers/" + std::to_string(k)));
        rope = {.head_dim = dims.head_dim, .base = c.f("rope_theta", 10000.0)};  // rope_scaling is not read in 4.40.2
    }
    bool sparse(int64_t layer) const { return !mlp_only.count(layer) && experts > 0 && (layer + 1) % sparse_step == 0; }
};

// Qwen2MoeMLP: LlamaMLP with its own intermediate size.
Value mlp(const Weights& vb, const Qwen2MoeConfig& c, Value x, int64_t inter) {
    return gated_mlp(vb, x, {.hidden = c.dims.hidden, .inter = inter, .act = c.act});
}

// Qwen2MoeSparseMoeBlock: top-k of softmax(gate(x)) (renormalised only with norm_topk_prob), the
// weighted experts, plus sigmoid(shared_expert_gate(x)) * shared_expert(x).
Value sparse_moe(const Weights& vb, const Qwen2MoeConfig& c, Value x) {
    auto s = vb.scope();
    int64_t hidden = c.dims.hidden;
    Value probs = softmax(linear(vb.pp("gate"), x, {.in = hidden, .out = c.experts, .bias = false}), -1);
    Value w = top_k_routing(probs, {.experts = c.experts, .k = c.top_k, .normalize = c.norm_topk});
    Value routed = mix_experts(w, c.experts, [&](int64_t e) { return mlp(vb.pp("experts", e), c, x, c.moe_inter); });
    Value gate = sigmoid(linear(vb.pp("shared_expert_gate"), x, {.in = hidden, .out = 1, .bias = false}));
    return routed + gate * mlp(vb.pp("shared_expert"), c, x, c.shared_inter);
}

// Qwen2MoeModel: pre-norm layers with Qwen2's attention (q/k/v biases, o_proj without) and a sparse
// or dense MLP. Qwen2MoeConfig: tie_word_embeddings false by default; an untied head must be in
// the checkpoint.
void build(Graph& g) {
    Qwen2MoeConfig c(g.config());
    rotary_decoder(g, {.dims = c.dims,
                       .rope = c.rope,
                       .window = c.window,
                       .tie_default = false,
                       .self_attention = {.qkv_bias = true},
                       .norm = rms_norms({.dim = c.dims.hidden, .eps = c.eps}),
                       .mlp = [&](const Weights& vb, Value x, const RotaryLayer& l) {
                           return c.sparse(l.index) ? sparse_moe(vb, c, x) : mlp(vb, c, x, c.dims.inter);
                       }});
}

}  // namespace

HFX_PLUGIN("qwen2_moe", "0.1.0") {
    reg.add({.model_type = "qwen2_moe",
             .features = {"default", "causal-lm", "causal-lm-with-past", "sequence-classification"},
             .reference = "transformers 4.40.2 models/qwen2_moe/modeling_qwen2_moe.py",
             .build = build,
             .tiny_config = R"({"model_type": "qwen2_moe", "vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 37, "hidden_act": "silu",
                 "max_position_embeddings": 128, "rms_norm_eps": 1e-6, "num_experts": 4, "num_experts_per_tok": 2,
                 "moe_intermediate_size": 16, "shared_expert_intermediate_size": 24, "decoder_sparse_step": 1,
                 "norm_topk_prob": false, "sliding_window": 4096, "pad_token_id": 0, "tie_word_embeddings": false})"});
}
