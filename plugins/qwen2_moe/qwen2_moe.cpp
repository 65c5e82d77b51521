// Qwen2-MoE (Qwen1.5-MoE, Qwen2-57B-A14B), following transformers 4.40.2
// models/qwen2_moe/modeling_qwen2_moe.py (Qwen2MoeModel, Qwen2MoeForCausalLM,
// Qwen2MoeForSequenceClassification), eager attention: Qwen2's attention (q/k/v biases, eager
// sliding-window mask) with a sparse mixture of experts plus a sigmoid-gated shared expert.
#include <hfx/blocks/moe.h>
#include <hfx/blocks/rotary_attention.h>
#include <hfx/hfx.h>

#include <set>

using namespace hfx;

namespace {

struct Qwen2MoeConfig {
    int64_t hidden, heads, kv_heads, layers, inter, vocab, head_dim, experts, top_k, moe_inter, shared_inter, sparse_step,
        window = 0;
    double eps;
    bool norm_topk;
    std::string act;
    std::set<int64_t> mlp_only;
    RotaryOptions rope;
    explicit Qwen2MoeConfig(const Config& c)
        : hidden(c.i("hidden_size")), heads(c.i("num_attention_heads")), kv_heads(c.i("num_key_value_heads", 16)),
          layers(c.i("num_hidden_layers")), inter(c.i("intermediate_size")), vocab(c.i("vocab_size")),
          head_dim(hidden / heads), experts(c.i("num_experts", 60)), top_k(c.i("num_experts_per_tok", 4)),
          moe_inter(c.i("moe_intermediate_size", 1408)), shared_inter(c.i("shared_expert_intermediate_size", 5632)),
          sparse_step(c.i("decoder_sparse_step", 1)), eps(c.f("rms_norm_eps", 1e-6)),
          norm_topk(c.b("norm_topk_prob", false)), act(c.s("hidden_act", "silu")) {
        if (head_dim * heads != hidden)
            throw Error("config key 'num_attention_heads': must divide hidden_size for model type 'qwen2_moe'");
        if (sparse_step < 1) throw Error("config key 'decoder_sparse_step': must be at least 1 for model type 'qwen2_moe'");
        // As Qwen2's eager path: the mask always carries config.sliding_window (a query sees itself and
        // sliding_window keys back); use_sliding_window / max_window_layers only steer flash attention.
        if (c.i("sliding_window", 4096) > 0) window = c.i("sliding_window", 4096) + 1;
        // mlp_only_layers (transformers >= 4.41; 4.40.2 has no such key): dense MLP in those layers.
        for (size_t k = 0, n = c.size("mlp_only_layers"); k < n; ++k) mlp_only.insert(c.i("mlp_only_layers/" + std::to_string(k)));
        rope = {.head_dim = head_dim, .base = c.f("rope_theta", 10000.0)};  // rope_scaling is not read in 4.40.2
    }
    bool sparse(int64_t layer) const { return !mlp_only.count(layer) && experts > 0 && (layer + 1) % sparse_step == 0; }
};

// Qwen2MoeAttention.forward (eager): q/k/v with biases, o_proj without.
Value attention(const Weights& vb, const Qwen2MoeConfig& c, Value x, RotaryDecoder& d, const RotaryTables& rope,
                int64_t layer) {
    auto s = vb.scope();
    auto proj = [&](const char* name, int64_t n) {
        return split_heads(linear(vb.pp(name), x, {.in = c.hidden, .out = n * c.head_dim}), n, c.head_dim);
    };
    Value ctx = rotary_attention(proj("q_proj", c.heads), proj("k_proj", c.kv_heads), proj("v_proj", c.kv_heads), rope,
                                 c.rope, d.cache,
                                 {.heads = c.heads, .kv_heads = c.kv_heads, .head_dim = c.head_dim, .layer = layer,
                                  .bias = d.mask_bias});
    return linear(vb.pp("o_proj"), ctx, {.in = c.hidden, .out = c.hidden, .bias = false});
}

// Qwen2MoeMLP: down_proj(act(gate_proj(x)) * up_proj(x)), with its own intermediate size.
Value mlp(const Weights& vb, const Qwen2MoeConfig& c, Value x, int64_t inter) {
    auto s = vb.scope();
    Value gate = activation(linear(vb.pp("gate_proj"), x, {.in = c.hidden, .out = inter, .bias = false}), c.act);
    Value up = linear(vb.pp("up_proj"), x, {.in = c.hidden, .out = inter, .bias = false});
    return linear(vb.pp("down_proj"), gate * up, {.in = inter, .out = c.hidden, .bias = false});
}

// Qwen2MoeSparseMoeBlock: top-k of softmax(gate(x)) (renormalised only with norm_topk_prob), the
// weighted experts, plus sigmoid(shared_expert_gate(x)) * shared_expert(x).
Value sparse_moe(const Weights& vb, const Qwen2MoeConfig& c, Value x) {
    auto s = vb.scope();
    Value probs = softmax(linear(vb.pp("gate"), x, {.in = c.hidden, .out = c.experts, .bias = false}), -1);
    Value w = top_k_routing(probs, {.experts = c.experts, .k = c.top_k, .normalize = c.norm_topk});
    Value routed = mix_experts(w, c.experts, [&](int64_t e) { return mlp(vb.pp("experts", e), c, x, c.moe_inter); });
    Value gate = sigmoid(linear(vb.pp("shared_expert_gate"), x, {.in = c.hidden, .out = 1, .bias = false}));
    return routed + gate * mlp(vb.pp("shared_expert"), c, x, c.shared_inter);
}

Value norm(const Weights& vb, const Qwen2MoeConfig& c, Value x) { return rms_norm(vb, x, {.dim = c.hidden, .eps = c.eps}); }

// Qwen2MoeDecoderLayer: pre-norm attention and (sparse or dense) MLP, each with a residual.
Value decoder_layer(const Weights& vb, const Qwen2MoeConfig& c, Value x, RotaryDecoder& d, const RotaryTables& rope,
                    int64_t layer) {
    auto s = vb.scope();
    Value h = x + attention(vb.pp("self_attn"), c, norm(vb.pp("input_layernorm"), c, x), d, rope, layer);
    Value n = norm(vb.pp("post_attention_layernorm"), c, h);
    return h + (c.sparse(layer) ? sparse_moe(vb.pp("mlp"), c, n) : mlp(vb.pp("mlp"), c, n, c.inter));
}

void build(Graph& g) {
    Qwen2MoeConfig c(g.config());
    DecoderOnnxConfig oc(g, g.feature(), {.vocab_size = c.vocab, .past = {c.layers, c.kv_heads, c.head_dim}});
    RotaryDecoder d(oc, c.window);

    Weights model = Weights::base(g, "model", "embed_tokens.weight");
    Value x = embedding(model.pp("embed_tokens"), d.ids, c.vocab, c.hidden);  // [b, s, hidden]
    RotaryTables rope = rotary_tables(d.positions, c.rope);
    for (int64_t i = 0; i < c.layers; ++i) x = decoder_layer(model.pp("layers", i), c, x, d, rope, i);
    x = norm(model.pp("norm"), c, x);

    // Qwen2MoeConfig: tie_word_embeddings false by default; an untied head must be in the checkpoint.
    decoder_task_outputs(oc, x, d.ids, {.embedding = model.pp("embed_tokens"), .hidden = c.hidden, .vocab = c.vocab,
                                        .pad_token_id = pad_token_id(g.config()), .tie_default = false,
                                        .score_then_pick = true});
}

}  // namespace

HFX_PLUGIN("qwen2_moe", "0.1.0") {
    reg.add({.model_type = "qwen2_moe",
             .features = {"default", "causal-lm", "causal-lm-with-past", "sequence-classification"},
             .reference = "transformers 4.40.2 models/qwen2_moe/modeling_qwen2_moe.py",
             .build = build,
             .tiny_config = R"({"model_type": "qwen2_moe", "vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 37, "hidden_act": "silu",
                 "max_position_embeddings": 128, "rms_norm_eps": 1e-6, "num_experts": 4, "num_experts_per_tok": 2,
                 "moe_intermediate_size": 16, "shared_expert_intermediate_size": 24, "decoder_sparse_step": 1,
                 "norm_topk_prob": false, "sliding_window": 4096, "pad_token_id": 0, "tie_word_embeddings": false})"});
}
