// OPT, following transformers 4.40.2 src/transformers/models/opt/modeling_opt.py
// (OPTModel, OPTForCausalLM, OPTForSequenceClassification), eager attention.
// No position_ids input: positions are cumsum(attention_mask) counted over real
// tokens, offset by 2 (OPTLearnedPositionalEmbedding).
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct OptConfig {
    int64_t hidden, heads, layers, ffn, vocab, max_pos, proj_dim;
    bool pre_norm, final_norm, bias;
    std::string act;
    explicit OptConfig(const Config& c)
        : hidden(c.i("hidden_size")), heads(c.i("num_attention_heads")), layers(c.i("num_hidden_layers")),
          ffn(c.i("ffn_dim")), vocab(c.i("vocab_size")), max_pos(c.i("max_position_embeddings")),
          proj_dim(c.i("word_embed_proj_dim", hidden)), pre_norm(c.b("do_layer_norm_before", true)),
          final_norm(!c.b("_remove_final_layer_norm", false) && pre_norm), bias(c.b("enable_bias", true)),
          act(c.s("activation_function", "relu")) {
        if (!c.b("layer_norm_elementwise_affine", true))
            throw Error("config key 'layer_norm_elementwise_affine': false is not supported (config.json)");
    }
    int64_t head_dim() const { return hidden / heads; }
};

// OPTAttention: q scaled by head_dim^-0.5 before q k^T, + the 4D causal/padding
// mask, clamped at finfo.min (torch.max) before the softmax.
Value attention(const Weights& vb, const OptConfig& c, int64_t layer, Value x, Value bias, KvCache& cache) {
    auto s = vb.scope();
    int64_t d = c.head_dim();
    auto proj = [&](const char* name) {
        return linear(vb.pp(name), x, {.in = c.hidden, .out = c.hidden, .bias = c.bias});
    };
    Value q = split_heads(proj("q_proj") * float(std::pow(double(d), -0.5)), c.heads, d);
    auto [k, v] = cache.append(layer, split_heads(proj("k_proj"), c.heads, d), split_heads(proj("v_proj"), c.heads, d));
    Value w = maximum(matmul(q, transpose(k, {0, 1, 3, 2})) + bias, x.g->scalar(kMaskValue));
    Value ctx = merge_heads(matmul(softmax(w, -1), v));
    return linear(vb.pp("out_proj"), ctx, {.in = c.hidden, .out = c.hidden, .bias = c.bias});
}

// OPTDecoderLayer: LayerNorm before (do_layer_norm_before) or after each residual block.
Value layer(const Weights& vb, const OptConfig& c, int64_t i, Value x, Value bias, KvCache& cache) {
    auto s = vb.scope();
    auto norm = [&](const char* name, Value h) { return layer_norm(vb.pp(name), h, {.dim = c.hidden, .eps = 1e-5}); };
    Value h = attention(vb.pp("self_attn"), c, i, c.pre_norm ? norm("self_attn_layer_norm", x) : x, bias, cache);
    x = x + h;
    if (!c.pre_norm) x = norm("self_attn_layer_norm", x);
    h = c.pre_norm ? norm("final_layer_norm", x) : x;
    h = activation(linear(vb.pp("fc1"), h, {.in = c.hidden, .out = c.ffn, .bias = c.bias}), c.act);
    x = x + linear(vb.pp("fc2"), h, {.in = c.ffn, .out = c.hidden, .bias = c.bias});
    return c.pre_norm ? x : norm("final_layer_norm", x);
}

void build(Graph& g) {
    OptConfig c(g.config());
    DecoderInputs d(g, {.vocab_size = c.vocab, .position_ids = false, .past = {c.layers, c.heads, c.head_dim()}});
    Value ids = d.ids, mask = d.mask;

    Weights dec = Weights::base(g, "model", "decoder.embed_tokens.weight").pp("decoder");
    Value x = [&] {
        auto s = dec.scope();
        Value tokens = embedding(dec.pp("embed_tokens"), ids, c.vocab, c.proj_dim);
        // OPTLearnedPositionalEmbedding: (cumsum(mask) * mask) - 1, the new tokens' columns, + offset 2.
        Value pos = last_columns(cumsum(mask, 1) * mask - g.scalar_i64(1), ids) + g.scalar_i64(2);
        Value positions = embedding(dec.pp("embed_positions"), pos, c.max_pos + 2, c.hidden);
        if (c.proj_dim != c.hidden)
            tokens = linear(dec.pp("project_in"), tokens, {.in = c.proj_dim, .out = c.hidden, .bias = false});
        return tokens + positions;
    }();
    Value bias = causal_bias(ids, mask);  // _prepare_4d_causal_attention_mask
    for (int64_t i = 0; i < c.layers; ++i) x = layer(dec.pp("layers", i), c, i, x, bias, d.cache);
    if (c.final_norm) x = layer_norm(dec.pp("final_layer_norm"), x, {.dim = c.hidden, .eps = 1e-5});
    if (c.proj_dim != c.hidden)
        x = linear(dec.pp("project_out"), x, {.in = c.hidden, .out = c.proj_dim, .bias = false});

    decoder_task_outputs(d.oc, x, ids,
                         {.embedding = dec.pp("embed_tokens"),
                          .hidden = c.proj_dim,
                          .vocab = c.vocab,
                          .pad_token_id = pad_token_id(g.config())});
}

}  // namespace

HFX_PLUGIN("opt", "0.1.0") {
    reg.add(
        {.model_type = "opt",
         .features = {"default", "default-with-past", "causal-lm", "causal-lm-with-past", "sequence-classification"},
         .reference = "transformers 4.40.2 models/opt/modeling_opt.py",
         .build = build,
         .tiny_config = R"({"model_type": "opt", "vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "ffn_dim": 37, "max_position_embeddings": 64, "word_embed_proj_dim": 16,
                 "do_layer_norm_before": true, "activation_function": "relu", "pad_token_id": 1,
                 "bos_token_id": 2, "eos_token_id": 2, "num_labels": 2})"});
}
