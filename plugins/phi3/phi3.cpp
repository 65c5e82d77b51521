// Phi-3, following transformers 4.44.0 models/phi3/modeling_phi3.py (Phi3Model, Phi3ForCausalLM,
// Phi3ForSequenceClassification, Phi3ForTokenClassification; 4.40.2 has no phi3), eager
// attention: Llama's graph with a fused qkv_proj and gate_up_proj, and longrope scaling.
#include <hfx/blocks/rope_scaling.h>
#include <hfx/blocks/rotary_decoder.h>
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct Phi3Config {
    RotaryDims dims;
    double eps;
    std::string act, rope_type;
    RotaryOptions rope;
    explicit Phi3Config(const Config& c)
        : dims(rotary_dims(c)), eps(c.f("rms_norm_eps", 1e-5)), act(c.s("hidden_act", "silu")) {
        // Phi3Attention._init_rope: Phi3RotaryEmbedding(head_dim, base=rope_theta), or longrope
        // (Phi3Config._rope_scaling_adjustment renames "su" and "yarn" to "longrope").
        rope = {.head_dim = dims.head_dim, .base = c.f("rope_theta", 10000.0)};
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
Value attention(const Weights& vb, const Phi3Config& c, Value x, const RotaryLayer& l) {
    auto s = vb.scope();
    const RotaryDims& d = c.dims;
    int64_t q_size = d.heads * d.head_dim, kv_size = d.kv_heads * d.head_dim;
    Value qkv = linear(vb.pp("qkv_proj"), x, {.in = d.hidden, .out = q_size + 2 * kv_size, .bias = false});
    auto parts = split(qkv, -1, {q_size, kv_size, kv_size});
    Value ctx = l.attend(split_heads(parts[0], d.heads, d.head_dim), split_heads(parts[1], d.kv_heads, d.head_dim),
                         split_heads(parts[2], d.kv_heads, d.head_dim));
    return linear(vb.pp("o_proj"), ctx, {.in = q_size, .out = d.hidden, .bias = false});
}

// Phi3MLP: gate, up = gate_up_proj(x).chunk(2); down_proj(up * act(gate)).
Value mlp(const Weights& vb, const Phi3Config& c, Value x) {
    auto s = vb.scope();
    int64_t inter = c.dims.inter;
    auto parts = split(linear(vb.pp("gate_up_proj"), x, {.in = c.dims.hidden, .out = 2 * inter, .bias = false}), -1,
                       {inter, inter});
    return linear(vb.pp("down_proj"), parts[1] * activation(parts[0], c.act),
                  {.in = inter, .out = c.dims.hidden, .bias = false});
}

// Phi3Model: Llama's pre-norm layers with the fused projections. Phi3Config: tie_word_embeddings
// false by default; token classification: `classifier` with bias.
void build(Graph& g) {
    Phi3Config c(g.config());
    rotary_decoder(
        g, {.dims = c.dims,
            .rope = c.rope,
            .tie_default = false,
            .norm = rms_norms({.dim = c.dims.hidden, .eps = c.eps}),
            .attention = [&](const Weights& vb, Value x, const RotaryLayer& l) { return attention(vb, c, x, l); },
            .mlp = [&](const Weights& vb, Value x, const RotaryLayer&) { return mlp(vb, c, x); },
            .tables =
                [&](Value positions) {
                    return c.rope_type.empty() ? rotary_tables(positions, c.rope)
                                               : longrope_tables(positions, c.rope, g.config());
                }});
}

}  // namespace

HFX_PLUGIN("phi3", "0.1.0") {
    reg.add(
        {.model_type = "phi3",
         .features = {"default", "causal-lm", "causal-lm-with-past", "sequence-classification", "token-classification"},
         .reference = "transformers 4.44.0 models/phi3/modeling_phi3.py",
         .build = build,
         .tiny_config = R"({"model_type": "phi3", "vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 37, "hidden_act": "silu",
                 "max_position_embeddings": 128, "original_max_position_embeddings": 32, "rms_norm_eps": 1e-5,
                 "rope_scaling": {"type": "longrope", "short_factor": [1.0, 1.5, 2.0, 3.0],
                                  "long_factor": [1.2, 2.5, 4.0, 8.0]},
                 "pad_token_id": 0, "tie_word_embeddings": false})"});
}
