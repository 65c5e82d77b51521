// Starcoder2, following transformers 4.40.2 models/starcoder2/modeling_starcoder2.py
// (Starcoder2Model, Starcoder2ForCausalLM, Starcoder2ForSequenceClassification), eager attention:
// Mistral's graph with LayerNorm instead of RMSNorm, `use_bias` on every projection and a
// c_fc / c_proj MLP.
#include <hfx/blocks/rotary_decoder.h>
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct Starcoder2Config {
    RotaryDims dims;
    int64_t window = 0;
    double eps;
    bool bias;
    std::string act;
    RotaryOptions rope;
    explicit Starcoder2Config(const Config& c)
        : dims(rotary_dims(c, {.kv_heads = 2})), eps(c.f("norm_epsilon", 1e-5)), bias(c.b("use_bias", true)),
          act(c.s("hidden_act", "gelu_pytorch_tanh")) {
        // _prepare_4d_causal_attention_mask(sliding_window=...): a query sees itself and
        // sliding_window keys back (tril(diagonal = past - sliding_window - 1)).
        if (c.i("sliding_window", 0) > 0) window = c.i("sliding_window") + 1;
        // Starcoder2RotaryEmbedding(head_dim, base=rope_theta): no rope_scaling in 4.40.2 (not read).
        rope = {.head_dim = dims.head_dim, .base = c.f("rope_theta", 10000.0)};
    }
};

// Starcoder2MLP: c_proj(act(c_fc(x))).
Value mlp(const Weights& vb, const Starcoder2Config& c, Value x) {
    auto s = vb.scope();
    Value h = activation(linear(vb.pp("c_fc"), x, {.in = c.dims.hidden, .out = c.dims.inter, .bias = c.bias}), c.act);
    return linear(vb.pp("c_proj"), h, {.in = c.dims.inter, .out = c.dims.hidden, .bias = c.bias});
}

// Starcoder2Model: pre-LayerNorm layers, `use_bias` on every projection (Starcoder2Attention).
// lm_head without bias, tied to embed_tokens by default (PretrainedConfig: tie_word_embeddings true).
void build(Graph& g) {
    Starcoder2Config c(g.config());
    rotary_decoder(g, {.dims = c.dims,
                       .rope = c.rope,
                       .window = c.window,
                       .tie_default = true,
                       .self_attention = {.qkv_bias = c.bias, .o_bias = c.bias},
                       .norm = layer_norms({.dim = c.dims.hidden, .eps = c.eps}),
                       .mlp = [&](const Weights& vb, Value x, const RotaryLayer&) { return mlp(vb, c, x); }});
}

}  // namespace

HFX_PLUGIN("starcoder2", "0.1.0") {
    reg.add({.model_type = "starcoder2",
             .features = {"default", "causal-lm", "causal-lm-with-past", "sequence-classification"},
             .reference = "transformers 4.40.2 models/starcoder2/modeling_starcoder2.py",
             .build = build,
             .tiny_config = R"({"model_type": "starcoder2", "vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 37,
                 "hidden_act": "gelu_pytorch_tanh", "max_position_embeddings": 128, "norm_epsilon": 1e-5,
                 "use_bias": true, "sliding_window": 4, "pad_token_id": 0})"});
}
