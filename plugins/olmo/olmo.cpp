// OLMo, following transformers 4.40.2 models/olmo/modeling_olmo.py (OlmoModel, OlmoForCausalLM;
// HF has no OlmoForSequenceClassification), eager attention: Llama's graph with a LayerNorm that
// has no weight or bias (eps 1e-5, whatever the config says) and q/k/v clamped to clip_qkv.
#include <hfx/blocks/rotary_decoder.h>
#include <hfx/hfx.h>

#include <optional>

using namespace hfx;

namespace {

struct OlmoConfig {
    RotaryDims dims;
    bool attention_bias;
    std::optional<float> clip_qkv;
    std::string act;
    RotaryOptions rope;
    explicit OlmoConfig(const Config& c)
        : dims(rotary_dims(c)), attention_bias(c.b("attention_bias", false)), act(c.s("hidden_act", "silu")) {
        if (c.has("clip_qkv")) clip_qkv = float(c.f("clip_qkv"));  // null: no clamp
        // OlmoAttention._init_rope is Llama's (4.40.2): rope_theta, rope_scaling linear / dynamic.
        std::string type = c.size("rope_scaling") ? c.s("rope_scaling/type", "") : "linear";
        if (type != "linear" && type != "dynamic")
            throw Error("config key 'rope_scaling': type '" + type +
                        "' is not supported for model type 'olmo' (linear, dynamic)");
        rope = rotary_config(c, {.head_dim = dims.head_dim});
    }
};

// OlmoLayerNorm: F.layer_norm(x, (hidden,), None, None, eps=1e-5).
Value olmo_norm(const OlmoConfig& c, Value x) {
    Graph& g = *x.g;
    int64_t hidden = c.dims.hidden;
    return layer_norm_op(x, g.constant_f32(std::vector<float>(size_t(hidden), 1.f), {hidden}),
                         g.constant_f32(std::vector<float>(size_t(hidden), 0.f), {hidden}), 1e-5f);
}

// OlmoAttention.forward (eager): projections, clamp_(-clip_qkv, clip_qkv), rotary attention, o_proj.
Value attention(const Weights& vb, const OlmoConfig& c, Value x, const RotaryLayer& l) {
    auto s = vb.scope();
    Graph& g = *x.g;
    const RotaryDims& d = c.dims;
    auto proj = [&](const char* name, int64_t n) {
        Value y = linear(vb.pp(name), x, {.in = d.hidden, .out = n * d.head_dim, .bias = c.attention_bias});
        if (c.clip_qkv) y = minimum(maximum(y, g.scalar(-*c.clip_qkv)), g.scalar(*c.clip_qkv));
        return split_heads(y, n, d.head_dim);
    };
    Value ctx = l.attend(proj("q_proj", d.heads), proj("k_proj", d.kv_heads), proj("v_proj", d.kv_heads));
    return linear(vb.pp("o_proj"), ctx, {.in = d.hidden, .out = d.hidden, .bias = c.attention_bias});
}

// OlmoModel: Llama's pre-norm layers (OlmoMLP is LlamaMLP) with the weightless norm.
// OlmoConfig: tie_word_embeddings false by default; an untied head must be in the checkpoint.
void build(Graph& g) {
    OlmoConfig c(g.config());
    rotary_decoder(
        g, {.dims = c.dims,
            .rope = c.rope,
            .tie_default = false,
            .norm = [&](const Weights&, Value x) { return olmo_norm(c, x); },
            .attention = [&](const Weights& vb, Value x, const RotaryLayer& l) { return attention(vb, c, x, l); },
            .mlp = gated_mlps({.hidden = c.dims.hidden, .inter = c.dims.inter, .act = c.act})});
}

}  // namespace

HFX_PLUGIN("olmo", "0.1.0") {
    reg.add({.model_type = "olmo",
             .features = {"default", "causal-lm", "causal-lm-with-past"},
             .reference = "transformers 4.40.2 models/olmo/modeling_olmo.py",
             .build = build,
             .tiny_config = R"({"model_type": "olmo", "vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 37, "hidden_act": "silu",
                 "max_position_embeddings": 128, "clip_qkv": 0.5, "attention_bias": false, "pad_token_id": 1,
                 "tie_word_embeddings": false})"});
}
