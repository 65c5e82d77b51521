// StableLM (StableLM-2, StableLM-3B-4E1T, StableCode), following transformers 4.40.2
// models/stablelm/modeling_stablelm.py (StableLmModel, StableLmForCausalLM,
// StableLmForSequenceClassification), eager attention: LayerNorm, partial rotary, optional
// q/k/v biases, per-head q/k LayerNorm and a parallel residual.
#include <hfx/blocks/rotary_attention.h>
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct StableLmConfig {
    int64_t hidden, heads, kv_heads, layers, inter, vocab, head_dim;
    double eps;
    bool qkv_bias, qk_layernorm, parallel_residual;
    std::string act;
    RotaryOptions rope;
    explicit StableLmConfig(const Config& c)
        : hidden(c.i("hidden_size")), heads(c.i("num_attention_heads")), kv_heads(c.i("num_key_value_heads", 32)),
          layers(c.i("num_hidden_layers")), inter(c.i("intermediate_size")), vocab(c.i("vocab_size")),
          head_dim(hidden / heads), eps(c.f("layer_norm_eps", 1e-5)), qkv_bias(c.b("use_qkv_bias", false)),
          qk_layernorm(c.b("qk_layernorm", false)), parallel_residual(c.b("use_parallel_residual", false)),
          act(c.s("hidden_act", "silu")) {
        if (head_dim * heads != hidden)
            throw Error("config key 'num_attention_heads': must divide hidden_size for model type 'stablelm'");
        // StableLmRotaryEmbedding(int(partial_rotary_factor * head_dim), base=rope_theta).
        RotaryOptions o{.head_dim = head_dim, .rotary_dim = int64_t(c.f("partial_rotary_factor", 0.25) * double(head_dim))};
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
    std::vector<Value> w;
    for (int64_t h = 0; h < n; ++h) w.push_back(reshape(vb.pp("norms", h).get("weight", {c.head_dim}), {1, c.head_dim}));
    Value unit = layer_norm_op(x, g.constant_f32(std::vector<float>(size_t(c.head_dim), 1.f), {c.head_dim}),
                               g.constant_f32(std::vector<float>(size_t(c.head_dim), 0.f), {c.head_dim}), float(c.eps));
    return unit * unsqueeze(concat(w, 0), {1});  // weights [n, 1, d]
}

// StableLmAttention.forward (eager).
Value attention(const Weights& vb, const StableLmConfig& c, Value x, RotaryDecoder& d, const RotaryTables& rope,
                int64_t layer) {
    auto s = vb.scope();
    auto proj = [&](const char* name, int64_t n) {
        return split_heads(linear(vb.pp(name), x, {.in = c.hidden, .out = n * c.head_dim, .bias = c.qkv_bias}), n, c.head_dim);
    };
    Value q = proj("q_proj", c.heads), k = proj("k_proj", c.kv_heads), v = proj("v_proj", c.kv_heads);
    if (c.qk_layernorm) {
        q = per_head_norm(vb.pp("q_layernorm"), c, q, c.heads);
        k = per_head_norm(vb.pp("k_layernorm"), c, k, c.kv_heads);
    }
    Value ctx = rotary_attention(q, k, v, rope, c.rope, d.cache,
                                 {.heads = c.heads, .kv_heads = c.kv_heads, .head_dim = c.head_dim, .layer = layer,
                                  .bias = d.mask_bias});
    return linear(vb.pp("o_proj"), ctx, {.in = c.hidden, .out = c.hidden, .bias = false});
}

// StableLmMLP: down_proj(act(gate_proj(x)) * up_proj(x)).
Value mlp(const Weights& vb, const StableLmConfig& c, Value x) {
    auto s = vb.scope();
    Value gate = activation(linear(vb.pp("gate_proj"), x, {.in = c.hidden, .out = c.inter, .bias = false}), c.act);
    Value up = linear(vb.pp("up_proj"), x, {.in = c.hidden, .out = c.inter, .bias = false});
    return linear(vb.pp("down_proj"), gate * up, {.in = c.inter, .out = c.hidden, .bias = false});
}

Value norm(const Weights& vb, const StableLmConfig& c, Value x) { return layer_norm(vb, x, {.dim = c.hidden, .eps = c.eps}); }

// StableLmDecoderLayer: parallel: x + attn(ln(x)) + mlp(ln(x)); sequential: h = x + attn(ln(x)), h + mlp(ln2(h)).
Value decoder_layer(const Weights& vb, const StableLmConfig& c, Value x, RotaryDecoder& d, const RotaryTables& rope,
                    int64_t layer) {
    auto s = vb.scope();
    Value h = norm(vb.pp("input_layernorm"), c, x);
    Value attn = attention(vb.pp("self_attn"), c, h, d, rope, layer);
    if (c.parallel_residual) return x + attn + mlp(vb.pp("mlp"), c, h);
    Value r = x + attn;
    return r + mlp(vb.pp("mlp"), c, norm(vb.pp("post_attention_layernorm"), c, r));
}

void build(Graph& g) {
    StableLmConfig c(g.config());
    DecoderOnnxConfig oc(g, g.feature(), {.vocab_size = c.vocab, .past = {c.layers, c.kv_heads, c.head_dim}});
    RotaryDecoder d(oc);

    Weights model = Weights::base(g, "model", "embed_tokens.weight");
    Value x = embedding(model.pp("embed_tokens"), d.ids, c.vocab, c.hidden);  // [b, s, hidden]
    RotaryTables rope = rotary_tables(d.positions, c.rope);
    for (int64_t i = 0; i < c.layers; ++i) x = decoder_layer(model.pp("layers", i), c, x, d, rope, i);
    x = norm(model.pp("norm"), c, x);

    // StableLmConfig: tie_word_embeddings false by default; lm_head and score without bias.
    decoder_task_outputs(oc, x, d.ids, {.embedding = model.pp("embed_tokens"), .hidden = c.hidden, .vocab = c.vocab,
                                        .pad_token_id = pad_token_id(g.config()), .tie_default = false,
                                        .score_then_pick = true});
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
