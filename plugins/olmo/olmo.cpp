// OLMo, following transformers 4.40.2 models/olmo/modeling_olmo.py (OlmoModel, OlmoForCausalLM;
// HF has no OlmoForSequenceClassification), eager attention: Llama's graph with a LayerNorm that
// has no weight or bias (eps 1e-5, whatever the config says) and q/k/v clamped to clip_qkv.
#include <hfx/blocks/rotary_attention.h>
#include <hfx/hfx.h>

#include <optional>

using namespace hfx;

namespace {

struct OlmoConfig {
    int64_t hidden, heads, kv_heads, layers, inter, vocab, head_dim;
    bool attention_bias;
    std::optional<float> clip_qkv;
    std::string act;
    RotaryOptions rope;
    explicit OlmoConfig(const Config& c)
        : hidden(c.i("hidden_size")), heads(c.i("num_attention_heads")), kv_heads(c.i("num_key_value_heads", heads)),
          layers(c.i("num_hidden_layers")), inter(c.i("intermediate_size")), vocab(c.i("vocab_size")),
          head_dim(hidden / heads), attention_bias(c.b("attention_bias", false)), act(c.s("hidden_act", "silu")) {
        if (head_dim * heads != hidden)
            throw Error("config key 'num_attention_heads': must divide hidden_size for model type 'olmo'");
        if (c.has("clip_qkv")) clip_qkv = float(c.f("clip_qkv"));  // null: no clamp
        // OlmoAttention._init_rope is Llama's (4.40.2): rope_theta, rope_scaling linear / dynamic.
        std::string type = c.size("rope_scaling") ? c.s("rope_scaling/type", "") : "linear";
        if (type != "linear" && type != "dynamic")
            throw Error("config key 'rope_scaling': type '" + type + "' is not supported for model type 'olmo' (linear, dynamic)");
        rope = rotary_config(c, {.head_dim = head_dim});
    }
};

// OlmoLayerNorm: F.layer_norm(x, (hidden,), None, None, eps=1e-5).
Value olmo_norm(const OlmoConfig& c, Value x) {
    Graph& g = *x.g;
    return layer_norm_op(x, g.constant_f32(std::vector<float>(size_t(c.hidden), 1.f), {c.hidden}),
                         g.constant_f32(std::vector<float>(size_t(c.hidden), 0.f), {c.hidden}), 1e-5f);
}

// OlmoAttention.forward (eager): projections, clamp_(-clip_qkv, clip_qkv), rotary attention, o_proj.
Value attention(const Weights& vb, const OlmoConfig& c, Value x, RotaryDecoder& d, const RotaryTables& rope,
                int64_t layer) {
    auto s = vb.scope();
    Graph& g = *x.g;
    auto proj = [&](const char* name, int64_t n) {
        Value y = linear(vb.pp(name), x, {.in = c.hidden, .out = n * c.head_dim, .bias = c.attention_bias});
        if (c.clip_qkv) y = minimum(maximum(y, g.scalar(-*c.clip_qkv)), g.scalar(*c.clip_qkv));
        return split_heads(y, n, c.head_dim);
    };
    Value ctx = rotary_attention(proj("q_proj", c.heads), proj("k_proj", c.kv_heads), proj("v_proj", c.kv_heads), rope,
                                 c.rope, d.cache,
                                 {.heads = c.heads, .kv_heads = c.kv_heads, .head_dim = c.head_dim, .layer = layer,
                                  .bias = d.mask_bias});
    return linear(vb.pp("o_proj"), ctx, {.in = c.hidden, .out = c.hidden, .bias = c.attention_bias});
}

// OlmoMLP: down_proj(act(gate_proj(x)) * up_proj(x)).
Value mlp(const Weights& vb, const OlmoConfig& c, Value x) {
    auto s = vb.scope();
    Value gate = activation(linear(vb.pp("gate_proj"), x, {.in = c.hidden, .out = c.inter, .bias = false}), c.act);
    Value up = linear(vb.pp("up_proj"), x, {.in = c.hidden, .out = c.inter, .bias = false});
    return linear(vb.pp("down_proj"), gate * up, {.in = c.inter, .out = c.hidden, .bias = false});
}

// OlmoDecoderLayer: pre-norm attention and MLP, each with a residual.
Value decoder_layer(const Weights& vb, const OlmoConfig& c, Value x, RotaryDecoder& d, const RotaryTables& rope,
                    int64_t layer) {
    auto s = vb.scope();
    Value h = x + attention(vb.pp("self_attn"), c, olmo_norm(c, x), d, rope, layer);
    return h + mlp(vb.pp("mlp"), c, olmo_norm(c, h));
}

void build(Graph& g) {
    OlmoConfig c(g.config());
    DecoderOnnxConfig oc(g, g.feature(), {.vocab_size = c.vocab, .past = {c.layers, c.kv_heads, c.head_dim}});
    RotaryDecoder d(oc);

    Weights model = Weights::base(g, "model", "embed_tokens.weight");
    Value x = embedding(model.pp("embed_tokens"), d.ids, c.vocab, c.hidden);  // [b, s, hidden]
    RotaryTables rope = rotary_tables(d.positions, c.rope);
    for (int64_t i = 0; i < c.layers; ++i) x = decoder_layer(model.pp("layers", i), c, x, d, rope, i);
    x = olmo_norm(c, x);

    // OlmoConfig: tie_word_embeddings false by default; an untied head must be in the checkpoint.
    decoder_task_outputs(oc, x, d.ids, {.embedding = model.pp("embed_tokens"), .hidden = c.hidden, .vocab = c.vocab,
                                        .tie_default = false});
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
