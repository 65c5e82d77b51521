// GPT-NeoX, following transformers 4.40.2 src/transformers/models/gpt_neox/modeling_gpt_neox.py
// (GPTNeoXModel, GPTNeoXForCausalLM, GPTNeoXForSequenceClassification, GPTNeoXForTokenClassification),
// eager attention: fused query_key_value laid out per head, partial rotary (rotary_pct,
// rotate_half), parallel or sequential residual.
#include <hfx/blocks/rotary.h>
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct GptNeoxConfig {
    int64_t hidden, heads, layers, inter, vocab, rotary_ndims;
    double eps, rotary_base;
    std::string act;
    bool parallel_residual, attention_bias;
    explicit GptNeoxConfig(const Config& c)
        : hidden(c.i("hidden_size")), heads(c.i("num_attention_heads")), layers(c.i("num_hidden_layers")),
          inter(c.i("intermediate_size")), vocab(c.i("vocab_size")),
          rotary_ndims(int64_t(double(hidden / heads) * c.f("rotary_pct", 0.25))), eps(c.f("layer_norm_eps", 1e-5)),
          rotary_base(c.f("rotary_emb_base", 10000)), act(c.s("hidden_act", "gelu")),
          parallel_residual(c.b("use_parallel_residual", true)), attention_bias(c.b("attention_bias", true)) {
        if (c.size("rope_scaling"))
            throw Error("config key 'rope_scaling': scaled rotary embeddings are not supported (config.json)");
        (void)c.has("max_position_embeddings");  // sizes the rotary cache only; positions are computed for any length
    }
    int64_t head_dim() const { return hidden / heads; }
    RotaryOptions rotary() const {
        return {.head_dim = head_dim(), .rotary_dim = rotary_ndims, .base = rotary_base, .style = RotaryStyle::half};
    }
};

// GPTNeoXAttention: qkv [b, s, heads, 3*d] split per head; scores * 1/sqrt(d) (baddbmm alpha),
// where(causal, w, finfo.min), + padding bias.
Value attention(const Weights& vb, const GptNeoxConfig& c, int64_t layer, Value x, const RotaryTables& rope,
                Value causal, Value pad_bias, KvCache& cache) {
    auto s = vb.scope();
    int64_t d = c.head_dim();
    Value qkv = linear(vb.pp("query_key_value"), x, {.in = c.hidden, .out = 3 * c.hidden, .bias = c.attention_bias});
    auto parts = split(reshape(qkv, {0, 0, c.heads, 3 * d}), 3, {d, d, d});
    auto heads_first = [](Value t) { return transpose(t, {0, 2, 1, 3}); };  // [b, heads, s, d]
    Value q = apply_rotary(heads_first(parts[0]), rope, c.rotary());
    auto [k, v] = cache.append(layer, apply_rotary(heads_first(parts[1]), rope, c.rotary()), heads_first(parts[2]));
    Value w = matmul(q, transpose(k, {0, 1, 3, 2})) * float(std::pow(double(d), -0.5));
    w = mask_scores_causal_then_bias(w, causal, pad_bias);
    Value ctx = merge_heads(matmul(softmax(w, -1), v));
    return linear(vb.pp("dense"), ctx, {.in = c.hidden, .out = c.hidden, .bias = c.attention_bias});
}

Value mlp(const Weights& vb, const GptNeoxConfig& c, Value x) {
    Value up = activation(linear(vb.pp("dense_h_to_4h"), x, {.in = c.hidden, .out = c.inter}), c.act);
    return linear(vb.pp("dense_4h_to_h"), up, {.in = c.inter, .out = c.hidden});
}

// GPTNeoXLayer: parallel: x + attn(ln1(x)) + mlp(ln2(x)); sequential: a = x + attn(ln1(x)); a + mlp(ln2(a)).
Value layer(const Weights& vb, const GptNeoxConfig& c, int64_t i, Value x, const RotaryTables& rope, Value causal,
            Value pad_bias, KvCache& cache) {
    auto s = vb.scope();
    Value attn =
        attention(vb.pp("attention"), c, i, layer_norm(vb.pp("input_layernorm"), x, {.dim = c.hidden, .eps = c.eps}),
                  rope, causal, pad_bias, cache);
    Weights post = vb.pp("post_attention_layernorm");
    if (c.parallel_residual)
        return mlp(vb.pp("mlp"), c, layer_norm(post, x, {.dim = c.hidden, .eps = c.eps})) + attn + x;
    attn = attn + x;
    return mlp(vb.pp("mlp"), c, layer_norm(post, attn, {.dim = c.hidden, .eps = c.eps})) + attn;
}

void build(Graph& g) {
    GptNeoxConfig c(g.config());
    DecoderInputs d(g, {.vocab_size = c.vocab, .past = {c.layers, c.heads, c.head_dim()}});

    Weights base = Weights::base(g, "gpt_neox", "embed_in.weight");
    Value x = embedding(base.pp("embed_in"), d.ids, c.vocab, c.hidden);
    RotaryTables rope = rotary_tables(d.positions, c.rotary());
    Value causal = causal_allowed(d.ids, d.mask);
    Value pad_bias = padding_bias(d.mask);
    for (int64_t i = 0; i < c.layers; ++i) x = layer(base.pp("layers", i), c, i, x, rope, causal, pad_bias, d.cache);
    x = layer_norm(base.pp("final_layer_norm"), x, {.dim = c.hidden, .eps = c.eps});

    decoder_task_outputs(d.oc, x, d.ids,
                         {.embedding = base.pp("embed_in"),
                          .hidden = c.hidden,
                          .vocab = c.vocab,
                          .pad_token_id = pad_token_id(g.config()),
                          .lm_head = "embed_out",
                          .tie_default = false});  // GPTNeoXConfig unties embed_out by default
}

}  // namespace

HFX_PLUGIN("gpt_neox", "0.1.0") {
    reg.add({.model_type = "gpt_neox",
             .features = {"default", "default-with-past", "causal-lm", "causal-lm-with-past", "sequence-classification",
                          "token-classification"},
             .reference = "transformers 4.40.2 models/gpt_neox/modeling_gpt_neox.py",
             .build = build,
             .tiny_config = R"({"model_type": "gpt_neox", "vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "intermediate_size": 37, "max_position_embeddings": 64, "rotary_pct": 0.5,
                 "rotary_emb_base": 10000, "hidden_act": "gelu", "use_parallel_residual": true,
                 "tie_word_embeddings": false, "pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2,
                 "num_labels": 2})"});
}
