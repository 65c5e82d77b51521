// CLIP's text tower (transformers 4.40.2 models/clip/modeling_clip.py:
// CLIPTextTransformer), shared by the clip_text_model plugin and the full clip
// model; clip_encoder_layer is CLIPEncoderLayer, which the vision tower uses too.
#pragma once
#include <optional>
#include <string>

#include "hfx/blocks/attention.h"
#include "hfx/blocks/decoder.h"
#include "hfx/blocks/nn.h"
#include "hfx/config.h"

namespace hfx {

struct ClipEncoderOptions {
    int64_t hidden = -1, heads = -1, inter = -1;
    double eps = 1e-5;
    std::string act = "quick_gelu";
};

// CLIPAttention: q_proj(x) * head_dim^-0.5, q k^T, + each additive mask in turn
// (causal, then padding, as HF adds them), softmax, out_proj. x [b, s, hidden]
inline Value clip_attention(const Weights& vb, Value x, const std::vector<Value>& biases, const ClipEncoderOptions& o) {
    int64_t head_dim = o.hidden / o.heads;
    auto proj = [&](const char* name) {
        return split_heads(linear(vb.pp(name), x, {.in = o.hidden, .out = o.hidden}), o.heads, head_dim);
    };
    Value q = proj("q_proj"), k = proj("k_proj"), v = proj("v_proj");
    Value ctx = [&] {
        auto s = vb.scope();
        Value scores = matmul(q * float(std::pow(double(head_dim), -0.5)), transpose(k, {0, 1, 3, 2}));
        for (const Value& b : biases) scores = scores + b;
        return merge_heads(matmul(softmax(scores, -1), v));
    }();
    return linear(vb.pp("out_proj"), ctx, {.in = o.hidden, .out = o.hidden});
}

// CLIPEncoderLayer (pre-LN): x + self_attn(layer_norm1(x)), then x + mlp(layer_norm2(x)).
inline Value clip_encoder_layer(const Weights& vb, Value x, const std::vector<Value>& biases,
                                const ClipEncoderOptions& o) {
    auto s = vb.scope();
    Value h = x + clip_attention(vb.pp("self_attn"),
                                 layer_norm(vb.pp("layer_norm1"), x, {.dim = o.hidden, .eps = o.eps}), biases, o);
    Value m = layer_norm(vb.pp("layer_norm2"), h, {.dim = o.hidden, .eps = o.eps});
    m = activation(linear(vb.pp("mlp.fc1"), m, {.in = o.hidden, .out = o.inter}), o.act);
    return h + linear(vb.pp("mlp.fc2"), m, {.in = o.inter, .out = o.hidden});
}

struct ClipTextOptions {
    ClipEncoderOptions layer;
    int64_t layers = -1, vocab = -1, max_pos = -1, eos_token_id = 2;

    // CLIPTextConfig with its defaults (a clip model's nested text_config omits them).
    static ClipTextOptions from_config(const Config& c) {
        ClipTextOptions o;
        o.layer = {.hidden = c.i("hidden_size", 512),
                   .heads = c.i("num_attention_heads", 8),
                   .inter = c.i("intermediate_size", 2048),
                   .eps = c.f("layer_norm_eps", 1e-5),
                   .act = c.s("hidden_act", "quick_gelu")};
        o.layers = c.i("num_hidden_layers", 12);
        o.vocab = c.i("vocab_size", 49408);
        o.max_pos = c.i("max_position_embeddings", 77);
        o.eos_token_id = c.i("eos_token_id", 49407);
        return o;
    }
};

struct ClipTextOutputs {
    Value last_hidden_state;  // [b, s, hidden]
    Value pooler_output;      // [b, hidden]
};

// CLIPTextTransformer: vb = "text_model" (or the root of a bare checkpoint).
// input_ids [b, s]; attention_mask [b, s] (1 = token) or absent.
inline ClipTextOutputs clip_text_transformer(const Weights& vb, Value input_ids, std::optional<Value> attention_mask,
                                             const ClipTextOptions& o) {
    Graph& g = vb.graph();
    int64_t hidden = o.layer.hidden;
    // CLIPTextEmbeddings: token + position (0..seq-1).
    Value x = [&] {
        Weights e = vb.pp("embeddings");
        auto s = e.scope();
        Value positions = unsqueeze(range(g.scalar_i64(0), squeeze(dim(input_ids, 1), {0}), g.scalar_i64(1)), {0});
        return embedding(e.pp("token_embedding"), input_ids, o.vocab, hidden) +
               embedding(e.pp("position_embedding"), positions, o.max_pos, hidden);
    }();
    // _create_4d_causal_attention_mask and _prepare_4d_attention_mask, added one after the other.
    std::vector<Value> biases;
    {
        auto s = vb.scope();
        Value all = expand(g.constant_i64({1}, {1, 1}), shape_of(input_ids));  // [b, s] of ones
        biases.push_back(causal_bias(input_ids, all));
        if (attention_mask) biases.push_back(padding_bias(*attention_mask));
    }
    Weights layers = vb.pp("encoder.layers");
    for (int64_t i = 0; i < o.layers; ++i) x = clip_encoder_layer(layers.pp(std::to_string(i)), x, biases, o.layer);
    x = layer_norm(vb.pp("final_layer_norm"), x, {.dim = hidden, .eps = o.layer.eps});

    // Pooling: the legacy eos_token_id == 2 configs pool at argmax(input_ids) (the highest id
    // was the eos token); others at the first input_ids == eos_token_id.
    auto s = vb.scope();
    Value index = o.eos_token_id == 2
                      ? argmax(cast(input_ids, DT::i32), -1, false)
                      : argmax(cast(equal(input_ids, g.scalar_i64(o.eos_token_id)), DT::i32), -1, false);
    return {x, gather_rows(x, index)};
}

}  // namespace hfx
