// Mixtral, following transformers 4.40.2 models/mixtral/modeling_mixtral.py (MixtralModel,
// MixtralForCausalLM, MixtralForSequenceClassification), eager attention: Mistral's attention
// and norms with a sparse mixture of SwiGLU experts (MixtralSparseMoeBlock) as the MLP.
#include <hfx/blocks/moe.h>
#include <hfx/blocks/rotary_attention.h>
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct MixtralConfig {
    int64_t hidden, heads, kv_heads, layers, inter, vocab, head_dim, experts, top_k, window = 0;
    double eps;
    std::string act;
    RotaryOptions rope;
    explicit MixtralConfig(const Config& c)
        : hidden(c.i("hidden_size")), heads(c.i("num_attention_heads")), kv_heads(c.i("num_key_value_heads", 8)),
          layers(c.i("num_hidden_layers")), inter(c.i("intermediate_size")), vocab(c.i("vocab_size")),
          head_dim(hidden / heads), experts(c.i("num_local_experts", 8)), top_k(c.i("num_experts_per_tok", 2)),
          eps(c.f("rms_norm_eps", 1e-5)), act(c.s("hidden_act", "silu")) {
        if (head_dim * heads != hidden)
            throw Error("config key 'num_attention_heads': must divide hidden_size for model type 'mixtral'");
        // As Mistral: a query sees itself and sliding_window keys back.
        if (c.i("sliding_window", 0) > 0) window = c.i("sliding_window") + 1;
        // MixtralRotaryEmbedding(head_dim, base=rope_theta); rope_scaling is not read in 4.40.2.
        rope = {.head_dim = head_dim, .base = c.f("rope_theta", 1e6)};
        // router_jitter_noise only acts in training; output_router_logits adds no graph output here.
    }
};

// MixtralAttention.forward (eager): Mistral's, no biases.
Value attention(const Weights& vb, const MixtralConfig& c, Value x, RotaryDecoder& d, const RotaryTables& rope,
                int64_t layer) {
    auto s = vb.scope();
    auto proj = [&](const char* name, int64_t n) {
        return split_heads(linear(vb.pp(name), x, {.in = c.hidden, .out = n * c.head_dim, .bias = false}), n, c.head_dim);
    };
    Value ctx = rotary_attention(proj("q_proj", c.heads), proj("k_proj", c.kv_heads), proj("v_proj", c.kv_heads), rope,
                                 c.rope, d.cache,
                                 {.heads = c.heads, .kv_heads = c.kv_heads, .head_dim = c.head_dim, .layer = layer,
                                  .bias = d.mask_bias});
    return linear(vb.pp("o_proj"), ctx, {.in = c.hidden, .out = c.hidden, .bias = false});
}

// MixtralSparseMoeBlock: softmax(gate(x)) in float32, top-k renormalised, then the weighted sum of
// the experts w2(act(w1(x)) * w3(x)) (blocks/moe.h: every expert on every token).
Value sparse_moe(const Weights& vb, const MixtralConfig& c, Value x) {
    auto s = vb.scope();
    Value probs = softmax(linear(vb.pp("gate"), x, {.in = c.hidden, .out = c.experts, .bias = false}), -1);
    Value w = top_k_routing(probs, {.experts = c.experts, .k = c.top_k, .normalize = true});  // [b, s, experts]
    return mix_experts(w, c.experts, [&](int64_t e) {
        Weights ex = vb.pp("experts", e);
        auto es = ex.scope();
        Value h = activation(linear(ex.pp("w1"), x, {.in = c.hidden, .out = c.inter, .bias = false}), c.act) *
                  linear(ex.pp("w3"), x, {.in = c.hidden, .out = c.inter, .bias = false});
        return linear(ex.pp("w2"), h, {.in = c.inter, .out = c.hidden, .bias = false});
    });
}

Value norm(const Weights& vb, const MixtralConfig& c, Value x) { return rms_norm(vb, x, {.dim = c.hidden, .eps = c.eps}); }

// MixtralDecoderLayer: pre-norm attention and MoE, each with a residual.
Value decoder_layer(const Weights& vb, const MixtralConfig& c, Value x, RotaryDecoder& d, const RotaryTables& rope,
                    int64_t layer) {
    auto s = vb.scope();
    Value h = x + attention(vb.pp("self_attn"), c, norm(vb.pp("input_layernorm"), c, x), d, rope, layer);
    return h + sparse_moe(vb.pp("block_sparse_moe"), c, norm(vb.pp("post_attention_layernorm"), c, h));
}

void build(Graph& g) {
    MixtralConfig c(g.config());
    DecoderOnnxConfig oc(g, g.feature(), {.vocab_size = c.vocab, .past = {c.layers, c.kv_heads, c.head_dim}});
    RotaryDecoder d(oc, c.window);

    Weights model = Weights::base(g, "model", "embed_tokens.weight");
    Value x = embedding(model.pp("embed_tokens"), d.ids, c.vocab, c.hidden);  // [b, s, hidden]
    RotaryTables rope = rotary_tables(d.positions, c.rope);
    for (int64_t i = 0; i < c.layers; ++i) x = decoder_layer(model.pp("layers", i), c, x, d, rope, i);
    x = norm(model.pp("norm"), c, x);

    // MixtralConfig: tie_word_embeddings false by default; an untied head must be in the checkpoint.
    decoder_task_outputs(oc, x, d.ids, {.embedding = model.pp("embed_tokens"), .hidden = c.hidden, .vocab = c.vocab,
                                        .pad_token_id = pad_token_id(g.config()), .tie_default = false,
                                        .score_then_pick = true});
}

}  // namespace

HFX_PLUGIN("mixtral", "0.1.0") {
    reg.add({.model_type = "mixtral",
             .features = {"default", "causal-lm", "causal-lm-with-past", "sequence-classification"},
             .reference = "transformers 4.40.2 models/mixtral/modeling_mixtral.py",
             .build = build,
             .tiny_config = R"({"model_type": "mixtral", "vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 37, "hidden_act": "silu",
                 "max_position_embeddings": 128, "rms_norm_eps": 1e-5, "num_local_experts": 4,
                 "num_experts_per_tok": 2, "pad_token_id": 0, "tie_word_embeddings": false})"});
}
