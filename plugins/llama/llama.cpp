// Llama and the models that share its graph, following transformers 4.40.2:
// models/llama/modeling_llama.py (LlamaModel, LlamaForCausalLM, LlamaForSequenceClassification),
// models/mistral/modeling_mistral.py, models/qwen2/modeling_qwen2.py, models/gemma/modeling_gemma.py.
// Eager attention; the variants differ only in the options of `Variant`.
#include <hfx/blocks/rope_scaling.h>
#include <hfx/blocks/rotary_decoder.h>
#include <hfx/hfx.h>

using namespace hfx;

namespace {

// What each model type changes in the Llama graph.
struct Variant {
    bool unit_offset_norm = false;  // Gemma: x * (1 + w)
    bool scale_embedding = false;   // Gemma: embeddings * sqrt(hidden_size), in the hidden dtype
    bool qkv_bias = false;          // Qwen2: q/k/v projections always have biases
    bool sliding_window = false;    // Mistral, Qwen2: eager mask with config.sliding_window
    bool attention_bias = false;    // reads config.attention_bias (Llama, Gemma)
    bool rope_scaling = false;      // reads config.rope_scaling (Llama; the others ignore it in 4.40.2)
    bool mlp_bias = false;          // reads config.mlp_bias (Llama, transformers >= 4.41)
    bool tie_default = false;       // tie_word_embeddings when the config omits it (GemmaConfig: true)
    bool head_dim_key = false;      // Gemma reads head_dim; the others use hidden_size / heads
    // GemmaMLP: hidden_activation, gelu_pytorch_tanh when unset (hidden_act is not read).
    std::string act_key = "hidden_act", act_default = "silu";
};

Variant variant_of(const std::string& model_type) {
    if (model_type == "gemma")
        return {.unit_offset_norm = true,
                .scale_embedding = true,
                .attention_bias = true,
                .tie_default = true,
                .head_dim_key = true,
                .act_key = "hidden_activation",
                .act_default = "gelu_pytorch_tanh"};
    if (model_type == "qwen2") return {.qkv_bias = true, .sliding_window = true};
    if (model_type == "mistral") return {.sliding_window = true};
    return {.attention_bias = true, .rope_scaling = true, .mlp_bias = true};
}

// LlamaConfig.rope_scaling: "type" (4.40.2) or "rope_type" (4.44.0, where "type" wins when both are
// given). linear / dynamic as 4.40.2 computes them (rotary_config), llama3 and default as 4.44.0
// modeling_rope_utils does; the other 4.44 types (yarn, longrope) are refused.
RotaryOptions llama_rope(const Config& c, int64_t head_dim, const std::string& model_type) {
    std::string type;
    if (c.size("rope_scaling"))
        type = c.has("rope_scaling/type") ? c.s("rope_scaling/type") : c.s("rope_scaling/rope_type");
    if (type.empty() || type == "linear" || type == "dynamic") return rotary_config(c, {.head_dim = head_dim});
    if (type != "llama3" && type != "default")
        throw Error("config key 'rope_scaling': rope_type '" + type + "' is not supported for model type '" +
                    model_type + "' (linear, dynamic, llama3, default)");
    RotaryOptions o{.head_dim = head_dim,
                    .base = c.f("rope_theta", 10000.0),
                    .max_position_embeddings = c.i("max_position_embeddings", 2048)};
    if (type == "llama3") o.inv_freq = llama3_inv_freq(o, c.sub("rope_scaling"));
    return o;
}

struct LlamaConfig {
    Variant v;
    RotaryDims dims;
    int64_t window = 0;
    double eps;
    bool attention_bias, mlp_bias;
    std::string act;
    RotaryOptions rope;
    LlamaConfig(const Config& c, const std::string& model_type)
        : v(variant_of(model_type)), dims(rotary_dims(c, {.head_dim_key = v.head_dim_key})),
          eps(c.f("rms_norm_eps", 1e-6)), attention_bias(v.attention_bias && c.b("attention_bias", false)),
          mlp_bias(v.mlp_bias && c.b("mlp_bias", false)) {
        act = c.s(v.act_key, v.act_default);
        // 4.40 AttentionMaskConverter._make_causal_mask masks tril(diagonal = past - sliding_window - 1):
        // a query sees itself and sliding_window keys back, sliding_window + 1 keys in all.
        if (v.sliding_window && c.i("sliding_window", 0) > 0) window = c.i("sliding_window") + 1;
        rope = v.rope_scaling ? llama_rope(c, dims.head_dim, model_type)
                              : RotaryOptions{.head_dim = dims.head_dim, .base = c.f("rope_theta", 10000.0)};
    }
};

// LlamaModel: pre-norm layers of LlamaAttention (eager: q/k/v, rotary, cache, repeat_kv,
// softmax(q k^T / sqrt(d) + mask) v, o_proj) and LlamaMLP.
void build(Graph& g) {
    LlamaConfig c(g.config(), g.model_type());
    rotary_decoder(
        g, {.dims = c.dims,
            .rope = c.rope,
            .window = c.window,
            .scale_embedding = c.v.scale_embedding,
            .tie_default = c.v.tie_default,
            .self_attention = {.qkv_bias = c.v.qkv_bias || c.attention_bias, .o_bias = c.attention_bias},
            .norm = rms_norms({.dim = c.dims.hidden, .eps = c.eps, .unit_offset = c.v.unit_offset_norm}),
            .mlp = gated_mlps({.hidden = c.dims.hidden, .inter = c.dims.inter, .act = c.act, .bias = c.mlp_bias})});
}

const std::vector<std::string> kFeatures = {"default", "causal-lm", "causal-lm-with-past", "sequence-classification"};

}  // namespace

HFX_PLUGIN("llama", "0.1.0") {
    reg.add({.model_type = "llama",
             .features = kFeatures,
             .reference = "transformers 4.40.2 models/llama/modeling_llama.py",
             .build = build,
             .tiny_config = R"({"model_type": "llama", "vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 37, "hidden_act": "silu",
                 "max_position_embeddings": 128, "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "pad_token_id": 0})"});
    reg.add({.model_type = "mistral",
             .features = kFeatures,
             .reference = "transformers 4.40.2 models/mistral/modeling_mistral.py",
             .build = build,
             .tiny_config = R"({"model_type": "mistral", "vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 37, "hidden_act": "silu",
                 "max_position_embeddings": 128, "rms_norm_eps": 1e-6, "sliding_window": 4, "pad_token_id": 0})"});
    reg.add({.model_type = "qwen2",
             .features = kFeatures,
             .reference = "transformers 4.40.2 models/qwen2/modeling_qwen2.py",
             .build = build,
             .tiny_config = R"({"model_type": "qwen2", "vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 37, "hidden_act": "silu",
                 "max_position_embeddings": 128, "rms_norm_eps": 1e-6, "sliding_window": 4096, "pad_token_id": 0})"});
    reg.add({.model_type = "gemma",
             .features = kFeatures,
             .reference = "transformers 4.40.2 models/gemma/modeling_gemma.py",
             .build = build,
             .tiny_config = R"({"model_type": "gemma", "vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 1, "head_dim": 8, "intermediate_size": 37,
                 "hidden_activation": "gelu_pytorch_tanh", "max_position_embeddings": 128, "rms_norm_eps": 1e-6,
                 "pad_token_id": 0})"});
}
