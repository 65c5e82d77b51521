// Gemma 2, following transformers 4.44.0 models/gemma2/modeling_gemma2.py (Gemma2Model,
// Gemma2ForCausalLM, Gemma2ForSequenceClassification; 4.40.2 has no gemma2), eager attention:
// Gemma's graph with query_pre_attn_scalar, soft-capped attention scores and logits, a sliding
// window on every other layer, and norms after attention and around the MLP.
#include <hfx/blocks/rotary_attention.h>
#include <hfx/hfx.h>

#include <optional>

using namespace hfx;

namespace {

// A key of config.json, null included (Config::has is false for null: a null cap means "off").
bool in_config(const Config& c, const std::string& key) {
    for (const std::string& k : c.keys("")) if (k == key) return true;
    return false;
}

struct Gemma2Config {
    int64_t hidden, heads, kv_heads, layers, inter, vocab, head_dim, window;
    double eps;
    bool attention_bias;
    float scale;
    std::optional<float> attn_cap, final_cap;
    std::string act;
    RotaryOptions rope;
    explicit Gemma2Config(const Config& c)
        : hidden(c.i("hidden_size")), heads(c.i("num_attention_heads")), kv_heads(c.i("num_key_value_heads", 16)),
          layers(c.i("num_hidden_layers")), inter(c.i("intermediate_size")), vocab(c.i("vocab_size")),
          head_dim(c.i("head_dim", 256)), window(c.i("sliding_window", 4096)), eps(c.f("rms_norm_eps", 1e-6)),
          attention_bias(c.b("attention_bias", false)), scale(float(std::pow(c.f("query_pre_attn_scalar", 224), -0.5))),
          act(c.s("hidden_activation", "gelu_pytorch_tanh")) {
        if (hidden % heads) throw Error("config key 'num_attention_heads': must divide hidden_size for model type 'gemma2'");
        if (window <= 0) throw Error("config key 'sliding_window': must be positive for model type 'gemma2'");
        // null disables a cap, as in HF; a missing key takes Gemma2Config's default.
        if (c.has("attn_logit_softcapping")) attn_cap = float(c.f("attn_logit_softcapping"));
        else if (!in_config(c, "attn_logit_softcapping")) attn_cap = 50.f;
        if (c.has("final_logit_softcapping")) final_cap = float(c.f("final_logit_softcapping"));
        else if (!in_config(c, "final_logit_softcapping")) final_cap = 30.f;
        rope = {.head_dim = head_dim, .base = c.f("rope_theta", 10000.0)};  // rope_scaling is not read
    }
};

// Gemma2Attention.forward (eager): scores * query_pre_attn_scalar^-0.5, soft-capped, plus the
// layer's mask (sliding on even layers).
Value attention(const Weights& vb, const Gemma2Config& c, Value x, RotaryDecoder& d, const RotaryTables& rope,
                Value bias, int64_t layer) {
    auto s = vb.scope();
    auto proj = [&](const char* name, int64_t n) {
        return split_heads(linear(vb.pp(name), x, {.in = c.hidden, .out = n * c.head_dim, .bias = c.attention_bias}), n,
                           c.head_dim);
    };
    Value ctx = rotary_attention(proj("q_proj", c.heads), proj("k_proj", c.kv_heads), proj("v_proj", c.kv_heads), rope,
                                 c.rope, d.cache,
                                 {.heads = c.heads, .kv_heads = c.kv_heads, .head_dim = c.head_dim, .layer = layer,
                                  .bias = bias, .scale = c.scale, .softcap = c.attn_cap});
    return linear(vb.pp("o_proj"), ctx, {.in = c.heads * c.head_dim, .out = c.hidden, .bias = c.attention_bias});
}

// Gemma2MLP: down_proj(act(gate_proj(x)) * up_proj(x)).
Value mlp(const Weights& vb, const Gemma2Config& c, Value x) {
    auto s = vb.scope();
    Value gate = activation(linear(vb.pp("gate_proj"), x, {.in = c.hidden, .out = c.inter, .bias = false}), c.act);
    Value up = linear(vb.pp("up_proj"), x, {.in = c.hidden, .out = c.inter, .bias = false});
    return linear(vb.pp("down_proj"), gate * up, {.in = c.inter, .out = c.hidden, .bias = false});
}

// Gemma2RMSNorm: x * rsqrt(mean(x^2) + eps) * (1 + w), in float32.
Value norm(const Weights& vb, const Gemma2Config& c, Value x) {
    return rms_norm(vb, x, {.dim = c.hidden, .eps = c.eps, .unit_offset = true});
}

// Gemma2DecoderLayer: h = x + post_attention_norm(attn(input_norm(x)));
// h + post_feedforward_norm(mlp(pre_feedforward_norm(h))).
Value decoder_layer(const Weights& vb, const Gemma2Config& c, Value x, RotaryDecoder& d, const RotaryTables& rope,
                    Value sliding_bias, int64_t layer) {
    auto s = vb.scope();
    Value bias = layer % 2 == 0 ? sliding_bias : d.mask_bias;
    Value attn = attention(vb.pp("self_attn"), c, norm(vb.pp("input_layernorm"), c, x), d, rope, bias, layer);
    Value h = x + norm(vb.pp("post_attention_layernorm"), c, attn);
    Value m = mlp(vb.pp("mlp"), c, norm(vb.pp("pre_feedforward_layernorm"), c, h));
    return h + norm(vb.pp("post_feedforward_layernorm"), c, m);
}

void build(Graph& g) {
    Gemma2Config c(g.config());
    DecoderOnnxConfig oc(g, g.feature(), {.vocab_size = c.vocab, .past = {c.layers, c.kv_heads, c.head_dim}});
    RotaryDecoder d(oc);
    // Even layers: a query sees itself and sliding_window - 1 keys back (tril(diagonal=-sliding_window)
    // of the eager mask; HybridCache keeps the same sliding_window keys when decoding).
    Value sliding_bias = causal_bias(d.ids, d.mask, c.window);

    Weights model = Weights::base(g, "model", "embed_tokens.weight");
    Value x = embedding(model.pp("embed_tokens"), d.ids, c.vocab, c.hidden);  // [b, s, hidden]
    x = x * float(std::sqrt(double(c.hidden)));  // the normalizer is a float32 tensor
    RotaryTables rope = rotary_tables(d.positions, c.rope);
    for (int64_t i = 0; i < c.layers; ++i) x = decoder_layer(model.pp("layers", i), c, x, d, rope, sliding_bias, i);
    x = norm(model.pp("norm"), c, x);

    Weights embed = model.pp("embed_tokens");
    if (oc.task() == "causal-lm") {
        // Gemma2ForCausalLM: lm_head (tied by default), then final_logit_softcapping.
        Value logits = causal_lm_head(Weights(g, "lm_head"), embed, x, c.hidden, c.vocab, true);
        if (c.final_cap) logits = tanh(logits / *c.final_cap) * *c.final_cap;
        oc.output("logits", logits);
        return;
    }
    decoder_task_outputs(oc, x, d.ids, {.embedding = embed, .hidden = c.hidden, .vocab = c.vocab,
                                        .pad_token_id = pad_token_id(g.config()), .tie_default = true,
                                        .score_then_pick = true});
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
