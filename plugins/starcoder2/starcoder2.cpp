// Starcoder2, following transformers 4.40.2 models/starcoder2/modeling_starcoder2.py
// (Starcoder2Model, Starcoder2ForCausalLM, Starcoder2ForSequenceClassification), eager attention:
// Mistral's graph with LayerNorm instead of RMSNorm, `use_bias` on every projection and a
// c_fc / c_proj MLP.
#include <hfx/blocks/rotary_attention.h>
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct Starcoder2Config {
    int64_t hidden, heads, kv_heads, layers, inter, vocab, head_dim, window = 0;
    double eps;
    bool bias;
    std::string act;
    RotaryOptions rope;
    explicit Starcoder2Config(const Config& c)
        : hidden(c.i("hidden_size")), heads(c.i("num_attention_heads")), kv_heads(c.i("num_key_value_heads", 2)),
          layers(c.i("num_hidden_layers")), inter(c.i("intermediate_size")), vocab(c.i("vocab_size")),
          head_dim(hidden / heads), eps(c.f("norm_epsilon", 1e-5)), bias(c.b("use_bias", true)),
          act(c.s("hidden_act", "gelu_pytorch_tanh")) {
        if (head_dim * heads != hidden)
            throw Error("config key 'num_attention_heads': must divide hidden_size for model type 'starcoder2'");
        // _prepare_4d_causal_attention_mask(sliding_window=...): a query sees itself and
        // sliding_window keys back (tril(diagonal = past - sliding_window - 1)).
        if (c.i("sliding_window", 0) > 0) window = c.i("sliding_window") + 1;
        // Starcoder2RotaryEmbedding(head_dim, base=rope_theta): no rope_scaling in 4.40.2 (not read).
        rope = {.head_dim = head_dim, .base = c.f("rope_theta", 10000.0)};
    }
};

// Starcoder2Attention.forward (eager).
Value attention(const Weights& vb, const Starcoder2Config& c, Value x, RotaryDecoder& d, const RotaryTables& rope,
                int64_t layer) {
    auto s = vb.scope();
    auto proj = [&](const char* name, int64_t n) {
        return split_heads(linear(vb.pp(name), x, {.in = c.hidden, .out = n * c.head_dim, .bias = c.bias}), n, c.head_dim);
    };
    Value ctx = rotary_attention(proj("q_proj", c.heads), proj("k_proj", c.kv_heads), proj("v_proj", c.kv_heads), rope,
                                 c.rope, d.cache,
                                 {.heads = c.heads, .kv_heads = c.kv_heads, .head_dim = c.head_dim, .layer = layer,
                                  .bias = d.mask_bias});
    return linear(vb.pp("o_proj"), ctx, {.in = c.hidden, .out = c.hidden, .bias = c.bias});
}

// Starcoder2MLP: c_proj(act(c_fc(x))).
Value mlp(const Weights& vb, const Starcoder2Config& c, Value x) {
    auto s = vb.scope();
    Value h = activation(linear(vb.pp("c_fc"), x, {.in = c.hidden, .out = c.inter, .bias = c.bias}), c.act);
    return linear(vb.pp("c_proj"), h, {.in = c.inter, .out = c.hidden, .bias = c.bias});
}

Value norm(const Weights& vb, const Starcoder2Config& c, Value x) {
    return layer_norm(vb, x, {.dim = c.hidden, .eps = c.eps});
}

// Starcoder2DecoderLayer: pre-norm attention and MLP, each with a residual.
Value decoder_layer(const Weights& vb, const Starcoder2Config& c, Value x, RotaryDecoder& d, const RotaryTables& rope,
                    int64_t layer) {
    auto s = vb.scope();
    Value h = x + attention(vb.pp("self_attn"), c, norm(vb.pp("input_layernorm"), c, x), d, rope, layer);
    return h + mlp(vb.pp("mlp"), c, norm(vb.pp("post_attention_layernorm"), c, h));
}

void build(Graph& g) {
    Starcoder2Config c(g.config());
    DecoderOnnxConfig oc(g, g.feature(), {.vocab_size = c.vocab, .past = {c.layers, c.kv_heads, c.head_dim}});
    RotaryDecoder d(oc, c.window);

    Weights model = Weights::base(g, "model", "embed_tokens.weight");
    Value x = embedding(model.pp("embed_tokens"), d.ids, c.vocab, c.hidden);  // [b, s, hidden]
    RotaryTables rope = rotary_tables(d.positions, c.rope);
    for (int64_t i = 0; i < c.layers; ++i) x = decoder_layer(model.pp("layers", i), c, x, d, rope, i);
    x = norm(model.pp("norm"), c, x);

    // lm_head without bias, tied to embed_tokens by default (PretrainedConfig: tie_word_embeddings true).
    decoder_task_outputs(oc, x, d.ids, {.embedding = model.pp("embed_tokens"), .hidden = c.hidden, .vocab = c.vocab,
                                        .pad_token_id = pad_token_id(g.config()), .tie_default = true,
                                        .score_then_pick = true});
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
