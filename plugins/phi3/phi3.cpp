// Phi-3, following transformers 4.44.0 models/phi3/modeling_phi3.py (Phi3Model, Phi3ForCausalLM,
// Phi3ForSequenceClassification, Phi3ForTokenClassification; 4.40.2 has no phi3), eager
// attention: Llama's graph with a fused qkv_proj and gate_up_proj, and longrope scaling.
#include <hfx/blocks/rope_scaling.h>
#include <hfx/blocks/rotary_attention.h>
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct Phi3Config {
    int64_t hidden, heads, kv_heads, layers, inter, vocab, head_dim;
    double eps;
    std::string act, rope_type;
    RotaryOptions rope;
    explicit Phi3Config(const Config& c)
        : hidden(c.i("hidden_size")), heads(c.i("num_attention_heads")), kv_heads(c.i("num_key_value_heads", heads)),
          layers(c.i("num_hidden_layers")), inter(c.i("intermediate_size")), vocab(c.i("vocab_size")),
          head_dim(hidden / heads), eps(c.f("rms_norm_eps", 1e-5)), act(c.s("hidden_act", "silu")) {
        if (head_dim * heads != hidden)
            throw Error("config key 'num_attention_heads': must divide hidden_size for model type 'phi3'");
        // Phi3Attention._init_rope: Phi3RotaryEmbedding(head_dim, base=rope_theta), or longrope
        // (Phi3Config._rope_scaling_adjustment renames "su" and "yarn" to "longrope").
        rope = {.head_dim = head_dim, .base = c.f("rope_theta", 10000.0)};
        if (c.size("rope_scaling")) {
            rope_type = c.s("rope_scaling/type", "");
            if (rope_type != "longrope" && rope_type != "su" && rope_type != "yarn")
                throw Error("config key 'rope_scaling': type '" + rope_type +
                            "' is not supported for model type 'phi3' (longrope, su, yarn)");
        }
        // sliding_window only steers HF's flash-attention path; the eager mask does not read it.
    }
};

// Phi3Attention.forward (eager): qkv_proj split into q | k | v, rotary attention, o_proj.
Value attention(const Weights& vb, const Phi3Config& c, Value x, RotaryDecoder& d, const RotaryTables& rope,
                int64_t layer) {
    auto s = vb.scope();
    int64_t q_size = c.heads * c.head_dim, kv_size = c.kv_heads * c.head_dim;
    Value qkv = linear(vb.pp("qkv_proj"), x, {.in = c.hidden, .out = q_size + 2 * kv_size, .bias = false});
    auto parts = split(qkv, -1, {q_size, kv_size, kv_size});
    Value ctx = rotary_attention(split_heads(parts[0], c.heads, c.head_dim), split_heads(parts[1], c.kv_heads, c.head_dim),
                                 split_heads(parts[2], c.kv_heads, c.head_dim), rope, c.rope, d.cache,
                                 {.heads = c.heads, .kv_heads = c.kv_heads, .head_dim = c.head_dim, .layer = layer,
                                  .bias = d.mask_bias});
    return linear(vb.pp("o_proj"), ctx, {.in = q_size, .out = c.hidden, .bias = false});
}

// Phi3MLP: gate, up = gate_up_proj(x).chunk(2); down_proj(up * act(gate)).
Value mlp(const Weights& vb, const Phi3Config& c, Value x) {
    auto s = vb.scope();
    auto parts = split(linear(vb.pp("gate_up_proj"), x, {.in = c.hidden, .out = 2 * c.inter, .bias = false}), -1,
                       {c.inter, c.inter});
    return linear(vb.pp("down_proj"), parts[1] * activation(parts[0], c.act), {.in = c.inter, .out = c.hidden, .bias = false});
}

Value norm(const Weights& vb, const Phi3Config& c, Value x) { return rms_norm(vb, x, {.dim = c.hidden, .eps = c.eps}); }

// Phi3DecoderLayer: pre-norm attention and MLP, each with a residual.
Value decoder_layer(const Weights& vb, const Phi3Config& c, Value x, RotaryDecoder& d, const RotaryTables& rope,
                    int64_t layer) {
    auto s = vb.scope();
    Value h = x + attention(vb.pp("self_attn"), c, norm(vb.pp("input_layernorm"), c, x), d, rope, layer);
    return h + mlp(vb.pp("mlp"), c, norm(vb.pp("post_attention_layernorm"), c, h));
}

void build(Graph& g) {
    Phi3Config c(g.config());
    DecoderOnnxConfig oc(g, g.feature(), {.vocab_size = c.vocab, .past = {c.layers, c.kv_heads, c.head_dim}});
    RotaryDecoder d(oc);

    Weights model = Weights::base(g, "model", "embed_tokens.weight");
    Value x = embedding(model.pp("embed_tokens"), d.ids, c.vocab, c.hidden);  // [b, s, hidden]
    RotaryTables rope = c.rope_type.empty() ? rotary_tables(d.positions, c.rope)
                                            : longrope_tables(d.positions, c.rope, g.config());
    for (int64_t i = 0; i < c.layers; ++i) x = decoder_layer(model.pp("layers", i), c, x, d, rope, i);
    x = norm(model.pp("norm"), c, x);

    // Phi3Config: tie_word_embeddings false by default; token classification: `classifier` with bias.
    decoder_task_outputs(oc, x, d.ids, {.embedding = model.pp("embed_tokens"), .hidden = c.hidden, .vocab = c.vocab,
                                        .pad_token_id = pad_token_id(g.config()), .tie_default = false,
                                        .score_then_pick = true});
}

}  // namespace

HFX_PLUGIN("phi3", "0.1.0") {
    reg.add({.model_type = "phi3",
             .features = {"default", "causal-lm", "causal-lm-with-past", "sequence-classification",
                          "token-classification"},
             .reference = "transformers 4.44.0 models/phi3/modeling_phi3.py",
             .build = build,
             .tiny_config = R"({"model_type": "phi3", "vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 37, "hidden_act": "silu",
                 "max_position_embeddings": 128, "original_max_position_embeddings": 32, "rms_norm_eps": 1e-5,
                 "rope_scaling": {"type": "longrope", "short_factor": [1.0, 1.5, 2.0, 3.0],
                                  "long_factor": [1.2, 2.5, 4.0, 8.0]},
                 "pad_token_id": 0, "tie_word_embeddings": false})"});
}
