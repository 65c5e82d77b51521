// Gemma 2, following transformers 4.44.0 models/gemma2/modeling_gemma2.py (Gemma2Model,
// Gemma2ForCausalLM, Gemma2ForSequenceClassification; 4.40.2 has no gemma2), eager attention:
// Gemma's graph with query_pre_attn_scalar, soft-capped attention scores and logits, a sliding
// window on every other layer, and norms after attention and around the MLP.
#include <hfx/blocks/rotary_decoder.h>
#include <hfx/hfx.h>

#include <optional>

using namespace hfx;

namespace {

// A key of config.json, null included (Config::has is false for null: a null cap means "off").
bool in_config(const Config& c, const std::string& key) {
    for (const std::string& k : c.keys(""))
        if (k == key) return true;
    return false;
}

struct Gemma2Config {
    RotaryDims dims;
    int64_t window;
    double eps;
    bool attention_bias;
    float scale;
    std::optional<float> attn_cap, final_cap;
    std::string act;
    RotaryOptions rope;
    explicit Gemma2Config(const Config& c)
        : dims(rotary_dims(c, {.kv_heads = 16, .head_dim_key = true, .head_dim = 256})),
          window(c.i("sliding_window", 4096)), eps(c.f("rms_norm_eps", 1e-6)),
          attention_bias(c.b("attention_bias", false)), scale(float(std::pow(c.f("query_pre_attn_scalar", 224), -0.5))),
          act(c.s("hidden_activation", "gelu_pytorch_tanh")) {
        c.require_divisible("hidden_size", dims.hidden, "num_attention_heads", dims.heads);
        if (window <= 0) throw Error("config key 'sliding_window': must be positive for model type 'gemma2'");
        // null disables a cap, as in HF; a missing key takes Gemma2Config's default.
        if (c.has("attn_logit_softcapping")) attn_cap = float(c.f("attn_logit_softcapping"));
        else if (!in_config(c, "attn_logit_softcapping")) attn_cap = 50.f;
        if (c.has("final_logit_softcapping")) final_cap = float(c.f("final_logit_softcapping"));
        else if (!in_config(c, "final_logit_softcapping")) final_cap = 30.f;
        rope = {.head_dim = dims.head_dim, .base = c.f("rope_theta", 10000.0)};  // rope_scaling is not read
    }
};

// Gemma2Model: embeddings * sqrt(hidden_size); Gemma2DecoderLayer: h = x + post_attention_norm(attn(
// input_norm(x))), h + post_feedforward_norm(mlp(pre_feedforward_norm(h))). Gemma2Attention: scores *
// query_pre_attn_scalar^-0.5, soft-capped, plus the layer's mask: even layers see themselves and
// sliding_window - 1 keys back (tril(diagonal=-sliding_window) of the eager mask; HybridCache keeps the
// same keys when decoding). Gemma2RMSNorm scales by (1 + w). Gemma2ForCausalLM: lm_head (tied by
// default), then final_logit_softcapping.
void build(Graph& g) {
    Gemma2Config c(g.config());
    rotary_decoder(g, {.dims = c.dims,
                       .rope = c.rope,
                       .even_layer_window = c.window,
                       .scale_embedding = true,
                       .post_norms = true,
                       .tie_default = true,
                       .logit_softcap = c.final_cap,
                       .self_attention = {.qkv_bias = c.attention_bias,
                                          .o_bias = c.attention_bias,
                                          .scale = c.scale,
                                          .softcap = c.attn_cap},
                       .norm = rms_norms({.dim = c.dims.hidden, .eps = c.eps, .unit_offset = true}),
                       .mlp = gated_mlps({.hidden = c.dims.hidden, .inter = c.dims.inter, .act = c.act})});
}

}  // namespace

HFX_PLUGIN("gemma2", "0.1.0") {
    reg.add({.model_type = "gemma2",
             .features = {"default", "causal-lm", "causal-lm-with-past", "sequence-classification"},
             .reference = "transformers 4.44.0 models/gemma2/modeling_gemma2.py",
             .build = build,
             .tiny_config = R"({"model_type": "gemma2", "vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8, "intermediate_size": 37,
                 "hidden_activation": "gelu_pytorch_tanh", "max_position_embeddings": 128, "rms_norm_eps": 1e-6,
                 "query_pre_attn_scalar": 16, "attn_logit_softcapping": 5.0, "final_logit_softcapping": 3.0,
                 "sliding_window": 3, "pad_token_id": 0})"});
}
