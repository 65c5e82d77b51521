// Mixtral, following transformers 4.40.2 models/mixtral/modeling_mixtral.py (MixtralModel,
// MixtralForCausalLM, MixtralForSequenceClassification), eager attention: Mistral's attention
// and norms with a sparse mixture of SwiGLU experts (MixtralSparseMoeBlock) as the MLP.
#include <hfx/blocks/moe.h>
#include <hfx/blocks/rotary_decoder.h>
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct MixtralConfig {
    RotaryDims dims;
    int64_t experts, top_k, window = 0;
    double eps;
    std::string act;
    RotaryOptions rope;
    explicit MixtralConfig(const Config& c)
        : dims(rotary_dims(c, {.kv_heads = 8})), experts(c.i("num_local_experts", 8)),
          top_k(c.i("num_experts_per_tok", 2)), eps(c.f("rms_norm_eps", 1e-5)), act(c.s("hidden_act", "silu")) {
        // As Mistral: a query sees itself and sliding_window keys back.
        if (c.i("sliding_window", 0) > 0) window = c.i("sliding_window") + 1;
        // MixtralRotaryEmbedding(head_dim, base=rope_theta); rope_scaling is not read in 4.40.2.
        rope = {.head_dim = dims.head_dim, .base = c.f("rope_theta", 1e6)};
        // router_jitter_noise only acts in training; output_router_logits adds no graph output here.
    }
};

// MixtralSparseMoeBlock: softmax(gate(x)) in float32, top-k renormalised, then the weighted sum of
// the experts w2(act(w1(x)) * w3(x)) (blocks/moe.h: every expert on every token).
Value sparse_moe(const Weights& vb, const MixtralConfig& c, Value x) {
    auto s = vb.scope();
    int64_t hidden = c.dims.hidden, inter = c.dims.inter;
    Value probs = softmax(linear(vb.pp("gate"), x, {.in = hidden, .out = c.experts, .bias = false}), -1);
    Value w = top_k_routing(probs, {.experts = c.experts, .k = c.top_k, .normalize = true});  // [b, s, experts]
    return mix_experts(w, c.experts, [&](int64_t e) {
        Weights ex = vb.pp("experts", e);
        auto es = ex.scope();
        Value h = activation(linear(ex.pp("w1"), x, {.in = hidden, .out = inter, .bias = false}), c.act) *
                  linear(ex.pp("w3"), x, {.in = hidden, .out = inter, .bias = false});
        return linear(ex.pp("w2"), h, {.in = inter, .out = hidden, .bias = false});
    });
}

// MixtralModel: Mistral's pre-norm layers (MixtralAttention: no biases) with the MoE block as the MLP.
// MixtralConfig: tie_word_embeddings false by default; an untied head must be in the checkpoint.
void build(Graph& g) {
    MixtralConfig c(g.config());
    rotary_decoder(g, {.dims = c.dims,
                       .rope = c.rope,
                       .window = c.window,
                       .mlp_module = "block_sparse_moe",
                       .tie_default = false,
                       .norm = rms_norms({.dim = c.dims.hidden, .eps = c.eps}),
                       .mlp = [&](const Weights& vb, Value x, const RotaryLayer&) { return sparse_moe(vb, c, x); }});
}

}  // namespace

HFX_PLUGIN("mixtral", "0.1.0") {
    reg.add({.model_type = "mixtral",
             .features = {"default", "causal-lm", "causal-lm-with-past", "sequence-classification"},
             .reference = "transformers 4.40.2 models/mixtral/modeling_mixtral.py",
             .build = build,
             .tiny_config = R"({"model_type": "mixtral", "vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 37, "hidden_act": "silu",
                 "max_position_embeddings": 128, "rms_norm_eps": 1e-5, "num_local_experts": 4,
                 "num_experts_per_tok": 2, "pad_token_id": 0, "tie_word_embeddings": false})"});
}
