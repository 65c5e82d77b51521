// The skeleton the Llama-style decoders share (LlamaModel.forward and its copies: Mistral, Qwen2,
// Gemma, Gemma 2, Mixtral, Qwen2-MoE, Starcoder2, StableLM, Phi-3, OLMo, transformers 4.40.2 /
// 4.44.0): embed_tokens -> decoder layers -> norm -> the task's head. A model says what differs:
// its attention, MLP and norm (callbacks on HF module prefixes) and the fields of
// RotaryDecoderOptions; the body, the layer's residual wiring and the heads are here.
//
//   RotaryDims dims = rotary_dims(c, "mixtral", {.kv_heads = 8});
//   rotary_decoder(g, {.dims = dims, .rope = rope, .window = window, .tie_default = false,
//                      .norm = [&](const Weights& vb, Value x) { return rms_norm(vb, x, {...}); },
//                      .mlp = [&](const Weights& vb, Value x, const RotaryLayer& l) { return ...; }});
//
// (attention unset: q/k/v_proj -> rotary_attention -> o_proj, rotary_self_attention.)
#pragma once
#include <functional>
#include <optional>
#include <string>

#include "hfx/blocks/rotary_attention.h"

namespace hfx {

// The sizes every such config names alike.
struct RotaryDims {
    int64_t hidden = -1, heads = -1, kv_heads = -1, layers = -1, inter = -1, vocab = -1, head_dim = -1;
};

struct RotaryDimsDefaults {
    int64_t kv_heads = 0;       // num_key_value_heads when the config omits it; 0: num_attention_heads
    bool head_dim_key = false;  // the config class has a head_dim key (Gemma); else hidden_size / heads
    int64_t head_dim = 0;       // its default; 0: hidden_size / heads
};

// hidden_size, num_attention_heads, num_key_value_heads, num_hidden_layers, intermediate_size,
// vocab_size; head_dim = hidden_size / num_attention_heads (which must divide it) unless the
// config class reads its own head_dim.
inline RotaryDims rotary_dims(const Config& c, const RotaryDimsDefaults& d = {}) {
    RotaryDims r;
    r.hidden = c.i("hidden_size");
    r.heads = c.i("num_attention_heads");
    r.kv_heads = c.i("num_key_value_heads", d.kv_heads > 0 ? d.kv_heads : r.heads);
    r.layers = c.i("num_hidden_layers");
    r.inter = c.i("intermediate_size");
    r.vocab = c.i("vocab_size");
    if (d.head_dim_key) {
        r.head_dim =
            d.head_dim > 0 ? c.i("head_dim", d.head_dim) : c.i("head_dim", r.heads > 0 ? r.hidden / r.heads : 0);
    } else {
        c.require_divisible("hidden_size", r.hidden, "num_attention_heads", r.heads);
        r.head_dim = r.hidden / r.heads;
    }
    return r;
}

// One decoder layer's view of the shared state: its cache entry, mask and the rotary tables.
struct RotaryLayer {
    int64_t index;
    Value bias;  // this layer's additive mask [b, 1, s, past + s]
    RotaryDecoder& d;
    const RotaryTables& tables;
    const RotaryOptions& rope;
    const RotaryDims& dims;

    // split_heads(linear(vb, x)): x [b, s, hidden] -> [b, n, s, head_dim]
    Value project(const Weights& vb, Value x, int64_t n, bool bias) const {
        return split_heads(linear(vb, x, {.in = dims.hidden, .out = n * dims.head_dim, .bias = bias}), n,
                           dims.head_dim);
    }
    // rotary_attention on this layer's cache entry and mask -> [b, s, heads * head_dim]
    Value attend(Value q, Value k, Value v, std::optional<float> scale = {}, std::optional<float> softcap = {}) const {
        return rotary_attention(q, k, v, tables, rope, d.cache,
                                {.heads = dims.heads,
                                 .kv_heads = dims.kv_heads,
                                 .head_dim = dims.head_dim,
                                 .layer = index,
                                 .bias = bias,
                                 .scale = scale,
                                 .softcap = softcap});
    }
};

struct RotarySelfAttentionOptions {
    bool qkv_bias = false, o_bias = false;  // q/k/v_proj and o_proj biases
    std::optional<float> scale, softcap;    // Gemma 2 (RotaryAttentionOptions)
};

// LlamaAttention.forward (eager) and its copies: q_proj, k_proj, v_proj -> rotary attention -> o_proj.
inline Value rotary_self_attention(const Weights& vb, Value x, const RotaryLayer& l,
                                   const RotarySelfAttentionOptions& o) {
    auto s = vb.scope();
    const RotaryDims& c = l.dims;
    Value ctx = l.attend(l.project(vb.pp("q_proj"), x, c.heads, o.qkv_bias),
                         l.project(vb.pp("k_proj"), x, c.kv_heads, o.qkv_bias),
                         l.project(vb.pp("v_proj"), x, c.kv_heads, o.qkv_bias), o.scale, o.softcap);
    return linear(vb.pp("o_proj"), ctx, {.in = c.heads * c.head_dim, .out = c.hidden, .bias = o.o_bias});
}

struct GatedMlpOptions {
    int64_t hidden = -1, inter = -1;
    std::string act = "silu";
    bool bias = false;
};

// LlamaMLP and its copies: down_proj(act(gate_proj(x)) * up_proj(x)).
inline Value gated_mlp(const Weights& vb, Value x, const GatedMlpOptions& o) {
    auto s = vb.scope();
    Value gate = activation(linear(vb.pp("gate_proj"), x, {.in = o.hidden, .out = o.inter, .bias = o.bias}), o.act);
    Value up = linear(vb.pp("up_proj"), x, {.in = o.hidden, .out = o.inter, .bias = o.bias});
    return linear(vb.pp("down_proj"), gate * up, {.in = o.inter, .out = o.hidden, .bias = o.bias});
}

using RotaryNormFn = std::function<Value(const Weights& vb, Value x)>;
using RotarySublayerFn = std::function<Value(const Weights& vb, Value x, const RotaryLayer& l)>;

// The usual norms and MLP as callbacks: rms_norms({.dim, .eps}), layer_norms({.dim, .eps}),
// gated_mlps({.hidden, .inter, .act}).
inline RotaryNormFn rms_norms(RmsNormOptions o) {
    return [o](const Weights& vb, Value x) { return rms_norm(vb, x, o); };
}
inline RotaryNormFn layer_norms(NormOptions o) {
    return [o](const Weights& vb, Value x) { return layer_norm(vb, x, o); };
}
inline RotarySublayerFn gated_mlps(GatedMlpOptions o) {
    return [o](const Weights& vb, Value x, const RotaryLayer&) { return gated_mlp(vb, x, o); };
}

struct RotaryDecoderOptions {
    RotaryDims dims;
    RotaryOptions rope;
    int64_t window = 0;              // causal_bias's sliding window on every layer (Mistral: sliding_window + 1)
    int64_t even_layer_window = 0;   // Gemma 2: the even layers' window (the odd ones see all)
    bool scale_embedding = false;    // Gemma: embeddings * sqrt(hidden_size)
    bool parallel_residual = false;  // StableLM: x + attn(ln(x)) + mlp(ln(x))
    bool post_norms = false;         // Gemma 2: post_attention_layernorm on the attention output,
                                     // pre/post_feedforward_layernorm around the MLP
    std::string mlp_module = "mlp";  // Mixtral: block_sparse_moe
    // The heads (DecoderHeadOptions): tie_word_embeddings' default (unset: the embedding when the
    // checkpoint has no lm_head), pooling, final_logit_softcapping.
    std::optional<bool> tie_default;
    bool score_then_pick = true;
    std::optional<float> logit_softcap;
    RotarySelfAttentionOptions self_attention;  // the default attention's biases, scale, softcap
    RotaryNormFn norm;                          // input_layernorm, post_attention_layernorm, ..., model.norm
    RotarySublayerFn attention;                 // self_attn; unset: rotary_self_attention(self_attention)
    RotarySublayerFn mlp;                       // mlp_module
    // The tables from the positions [b | 1, s]; unset: rotary_tables(positions, rope) (Phi-3: longrope).
    std::function<RotaryTables(Value positions)> tables;
};

// The decoder layer: pre-norm attention and MLP, each with a residual (LlamaDecoderLayer), or as
// the options say.
inline Value rotary_decoder_layer(const Weights& vb, Value x, const RotaryLayer& l, const RotaryDecoderOptions& o) {
    auto s = vb.scope();
    auto attention = [&](const Weights& a, Value h) {
        return o.attention ? o.attention(a, h, l) : rotary_self_attention(a, h, l, o.self_attention);
    };
    if (o.parallel_residual) {
        Value h = o.norm(vb.pp("input_layernorm"), x);
        Value attn = attention(vb.pp("self_attn"), h);
        return x + attn + o.mlp(vb.pp(o.mlp_module), h, l);
    }
    if (o.post_norms) {
        Value attn = attention(vb.pp("self_attn"), o.norm(vb.pp("input_layernorm"), x));
        Value h = x + o.norm(vb.pp("post_attention_layernorm"), attn);
        Value m = o.mlp(vb.pp(o.mlp_module), o.norm(vb.pp("pre_feedforward_layernorm"), h), l);
        return h + o.norm(vb.pp("post_feedforward_layernorm"), m);
    }
    Value h = x + attention(vb.pp("self_attn"), o.norm(vb.pp("input_layernorm"), x));
    return h + o.mlp(vb.pp(o.mlp_module), o.norm(vb.pp("post_attention_layernorm"), h), l);
}

// The whole graph: inputs (DecoderOnnxConfig for the feature), model.embed_tokens, the layers
// under model.layers.<i>, model.norm, and decoder_task_outputs.
inline void rotary_decoder(Graph& g, const RotaryDecoderOptions& o) {
    const RotaryDims& c = o.dims;
    DecoderOnnxConfig oc(g, g.feature(), {.vocab_size = c.vocab, .past = {c.layers, c.kv_heads, c.head_dim}});
    RotaryDecoder d(oc, o.window);
    std::optional<Value> even_bias;
    if (o.even_layer_window > 0) even_bias = causal_bias(d.ids, d.mask, o.even_layer_window);

    Weights model = Weights::base(g, "model", "embed_tokens.weight");
    Value x = embedding(model.pp("embed_tokens"), d.ids, c.vocab, c.hidden);  // [b, s, hidden]
    if (o.scale_embedding) x = x * float(std::sqrt(double(c.hidden)));        // the normalizer is a float32 tensor
    RotaryTables tables = o.tables ? o.tables(d.positions) : rotary_tables(d.positions, o.rope);
    for (int64_t i = 0; i < c.layers; ++i) {
        Value bias = even_bias && i % 2 == 0 ? *even_bias : d.mask_bias;
        x = rotary_decoder_layer(model.pp("layers", i), x, {i, bias, d, tables, o.rope, c}, o);
    }
    x = o.norm(model.pp("norm"), x);

    decoder_task_outputs(oc, x, d.ids,
                         {.embedding = model.pp("embed_tokens"),
                          .hidden = c.hidden,
                          .vocab = c.vocab,
                          .pad_token_id = pad_token_id(g.config()),
                          .tie_default = o.tie_default,
                          .score_then_pick = o.score_then_pick,
                          .logit_softcap = o.logit_softcap});
}

}  // namespace hfx
