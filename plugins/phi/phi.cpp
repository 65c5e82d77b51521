// Phi (Phi-1, Phi-1.5, Phi-2), following transformers 4.40.2 models/phi/modeling_phi.py
// (PhiModel, PhiForCausalLM, PhiForSequenceClassification, PhiForTokenClassification), eager attention:
// one LayerNorm feeding attention and MLP in parallel, partial rotary, dense output, lm_head with bias.
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct PhiConfig {
    int64_t hidden, heads, kv_heads, layers, inter, vocab, head_dim, pad_token_id;
    double eps;
    bool qk_layernorm;
    std::string act;
    RotaryOptions rope;
    explicit PhiConfig(const Config& c)
        : hidden(c.i("hidden_size")), heads(c.i("num_attention_heads")), kv_heads(c.i("num_key_value_heads", heads)),
          layers(c.i("num_hidden_layers")), inter(c.i("intermediate_size")), vocab(c.i("vocab_size")),
          head_dim(hidden / heads), pad_token_id(c.i("pad_token_id", -1)), eps(c.f("layer_norm_eps", 1e-5)),
          qk_layernorm(c.b("qk_layernorm", false)), act(c.s("hidden_act", "gelu_new")) {
        if (heads % kv_heads) throw Error("config key 'num_key_value_heads': must divide num_attention_heads");
        // PhiRotaryEmbedding(int(partial_rotary_factor * head_dim), base=rope_theta)
        rope = rotary_config(
            c, {.head_dim = head_dim, .rotary_dim = int64_t(c.f("partial_rotary_factor", 0.5) * double(head_dim))});
    }
};

// PhiAttention.forward (eager): q/k/v with biases, optional per-head q/k LayerNorm,
// rotary on the first rotary_dim dims, cache, repeat_kv, softmax in float32, dense.
Value attention(const Weights& vb, const PhiConfig& c, Value x, Value mask_bias, const RotaryTables& rope,
                KvCache& cache, int64_t layer) {
    auto s = vb.scope();
    auto proj = [&](const char* name, int64_t n) {
        return split_heads(linear(vb.pp(name), x, {.in = c.hidden, .out = n * c.head_dim}), n, c.head_dim);
    };
    Value q = proj("q_proj", c.heads), k = proj("k_proj", c.kv_heads), v = proj("v_proj", c.kv_heads);
    if (c.qk_layernorm) {
        // LayerNorm(hidden_size // num_heads): over head_dim, on each head.
        q = layer_norm(vb.pp("q_layernorm"), q, {.dim = c.head_dim, .eps = c.eps});
        k = layer_norm(vb.pp("k_layernorm"), k, {.dim = c.head_dim, .eps = c.eps});
    }
    q = apply_rotary(q, rope, c.rope);  // [b, heads, s, d], first rotary_dim rotated
    k = apply_rotary(k, rope, c.rope);
    std::tie(k, v) = cache.append(layer, k, v);  // [b, kv_heads, past + s, d]
    int64_t n_rep = c.heads / c.kv_heads;
    k = repeat_kv(k, c.kv_heads, n_rep, c.head_dim);
    v = repeat_kv(v, c.kv_heads, n_rep, c.head_dim);
    Value ctx = merge_heads(scaled_dot_product(q, k, v, {.head_dim = c.head_dim, .bias = mask_bias}));
    return linear(vb.pp("dense"), ctx, {.in = c.heads * c.head_dim, .out = c.hidden});
}

// PhiMLP: fc2(act(fc1(x))).
Value mlp(const Weights& vb, const PhiConfig& c, Value x) {
    auto s = vb.scope();
    Value h = activation(linear(vb.pp("fc1"), x, {.in = c.hidden, .out = c.inter}), c.act);
    return linear(vb.pp("fc2"), h, {.in = c.inter, .out = c.hidden});
}

// PhiDecoderLayer: attn(ln(x)) + mlp(ln(x)) + x.
Value decoder_layer(const Weights& vb, const PhiConfig& c, Value x, Value mask_bias, const RotaryTables& rope,
                    KvCache& cache, int64_t layer) {
    auto s = vb.scope();
    Value h = layer_norm(vb.pp("input_layernorm"), x, {.dim = c.hidden, .eps = c.eps});
    Value attn = attention(vb.pp("self_attn"), c, h, mask_bias, rope, cache, layer);
    return attn + mlp(vb.pp("mlp"), c, h) + x;
}

void build(Graph& g) {
    PhiConfig c(g.config());
    DecoderInputs d(g, {.vocab_size = c.vocab, .past = {c.layers, c.kv_heads, c.head_dim}},
                    DecoderInputs::Positions::batched);

    Weights model = Weights::base(g, "model", "embed_tokens.weight");
    Value x = embedding(model.pp("embed_tokens"), d.ids, c.vocab, c.hidden);  // [b, s, hidden]
    Value mask_bias = causal_bias(d.ids, d.mask);                             // [b, 1, s, past + s]
    RotaryTables rope = rotary_tables(d.positions, c.rope);
    for (int64_t i = 0; i < c.layers; ++i) x = decoder_layer(model.pp("layers", i), c, x, mask_bias, rope, d.cache, i);
    x = layer_norm(model.pp("final_layernorm"), x, {.dim = c.hidden, .eps = c.eps});

    decoder_task_outputs(d.oc, x, d.ids,
                         {.embedding = model.pp("embed_tokens"),
                          .hidden = c.hidden,
                          .vocab = c.vocab,
                          .pad_token_id = c.pad_token_id,
                          .lm_head_bias = true,
                          .tie_default = false,
                          .score_then_pick = true});
}

}  // namespace

HFX_PLUGIN("phi", "0.1.0") {
    reg.add(
        {.model_type = "phi",
         .features = {"default", "causal-lm", "causal-lm-with-past", "sequence-classification", "token-classification"},
         .reference = "transformers 4.40.2 models/phi/modeling_phi.py",
         .build = build,
         .tiny_config = R"({"model_type": "phi", "vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "intermediate_size": 37, "hidden_act": "gelu_new", "layer_norm_eps": 1e-5,
                 "max_position_embeddings": 128, "partial_rotary_factor": 0.5, "rope_theta": 10000.0,
                 "pad_token_id": 0})"});
}
