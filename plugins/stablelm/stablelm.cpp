// StableLM (StableLM-2, StableLM-3B-4E1T, StableCode), following transformers 4.40.2
// models/stablelm/modeling_stablelm.py (StableLmModel, StableLmForCausalLM,
// StableLmForSequenceClassification), eager attention: LayerNorm, partial rotary, optional
// q/k/v biases, per-head q/k LayerNorm and a parallel residual.
#include <hfx/blocks/rotary_decoder.h>
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct StableLmConfig {
    RotaryDims dims;
    double eps;
    bool qkv_bias, qk_layernorm, parallel_residual;
    std::string act;
    RotaryOptions rope;
    explicit StableLmConfig(const Config& c)
        : dims(rotary_dims(c, {.kv_heads = 32})), eps(c.f("layer_norm_eps", 1e-5)),
          qkv_bias(c.b("use_qkv_bias", false)), qk_layernorm(c.b("qk_layernorm", false)),
          parallel_residual(c.b("use_parallel_residual", false)), act(c.s("hidden_act", "silu")) {
        // StableLmRotaryEmbedding(int(partial_rotary_factor * head_dim), base=rope_theta).
        int64_t head_dim = dims.head_dim;
        RotaryOptions o{.head_dim = head_dim,
                        .rotary_dim = int64_t(c.f("partial_rotary_factor", 0.25) * double(head_dim))};
        // Dynamic NTK here rescales from the key length (past + new), the block from the largest position.
        if (c.size("rope_scaling") && c.s("rope_scaling/type", "") != "linear")
            throw Error("config key 'rope_scaling': type '" + c.s("rope_scaling/type", "") +
                        "' is not supported for model type 'stablelm' (linear)");
        rope = rotary_config(c, o);
    }
};

// StableLmLayerNormPerHead: head h normalised over head_dim by its own LayerNorm (no bias),
// `<prefix>.norms.<h>.weight`. x [b, n, s, d].
Value per_head_norm(const Weights& vb, const StableLmConfig& c, Value x, int64_t n) {
    auto s = vb.scope();
    Graph& g = *x.g;
    int64_t d = c.dims.head_dim;
    std::vector<Value> w;
    for (int64_t h = 0; h < n; ++h) w.push_back(reshape(vb.pp("norms", h).get("weight", {d}), {1, d}));
    Value unit = layer_norm_op(x, g.constant_f32(std::vector<float>(size_t(d), 1.f), {d}),
                               g.constant_f32(std::vector<float>(size_t(d), 0.f), {d}), float(c.eps));
    return unit * unsqueeze(concat(w, 0), {1});  // weights [n, 1, d]
}

// StableLmAttention.forward (eager): optional q/k/v biases and per-head q/k LayerNorm.
Value attention(const Weights& vb, const StableLmConfig& c, Value x, const RotaryLayer& l) {
    auto s = vb.scope();
    const RotaryDims& d = c.dims;
    Value q = l.project(vb.pp("q_proj"), x, d.heads, c.qkv_bias),
          k = l.project(vb.pp("k_proj"), x, d.kv_heads, c.qkv_bias),
          v = l.project(vb.pp("v_proj"), x, d.kv_heads, c.qkv_bias);
    if (c.qk_layernorm) {
        q = per_head_norm(vb.pp("q_layernorm"), c, q, d.heads);
        k = per_head_norm(vb.pp("k_layernorm"), c, k, d.kv_heads);
    }
    return linear(vb.pp("o_proj"), l.attend(q, k, v), {.in = d.hidden, .out = d.hidden, .bias = false});
}

// StableLmModel: LayerNorm, sequential or parallel residual (StableLmDecoderLayer), StableLmMLP
// (LlamaMLP). StableLmConfig: tie_word_embeddings false by default; lm_head and score without bias.
void build(Graph& g) {
    StableLmConfig c(g.config());
    rotary_decoder(
        g, {.dims = c.dims,
            .rope = c.rope,
            .parallel_residual = c.parallel_residual,
            .tie_default = false,
            .norm = layer_norms({.dim = c.dims.hidden, .eps = c.eps}),
            .attention = [&](const Weights& vb, Value x, const RotaryLayer& l) { return attention(vb, c, x, l); },
            .mlp = gated_mlps({.hidden = c.dims.hidden, .inter = c.dims.inter, .act = c.act})});
}

}  // namespace

HFX_PLUGIN("stablelm", "0.1.0") {
    reg.add({.model_type = "stablelm",
             .features = {"default", "causal-lm", "causal-lm-with-past", "sequence-classification"},
             .reference = "transformers 4.40.2 models/stablelm/modeling_stablelm.py",
             .build = build,
             .tiny_config = R"({"model_type": "stablelm", "vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 37, "hidden_act": "silu",
                 "max_position_embeddings": 128, "layer_norm_eps": 1e-5, "partial_rotary_factor": 0.25,
                 "use_qkv_bias": true, "qk_layernorm": true, "use_parallel_residual": false, "pad_token_id": 0,
                 "tie_word_embeddings": false})"});
}
