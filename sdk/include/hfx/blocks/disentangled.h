// DeBERTa's disentangled attention pieces, shared by deberta (v1) and
// deberta-v2 (transformers 4.40.2 modeling_deberta.py / modeling_deberta_v2.py):
// relative positions (optionally log-bucketed), the content->position and
// position->content score gathers, and XSoftmax (the masked softmax that
// zeroes fully masked rows). Layout: [batch, heads, seq, head_dim] as
// blocks/attention.h (v2's bmm over [batch*heads, ...] is the same math).
#pragma once
#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <set>
#include <string>

#include "hfx/blocks/bert_like.h"
#include "hfx/blocks/nn.h"
#include "hfx/config.h"
#include "hfx/onnx_config.h"
#include "hfx/ops.h"

namespace hfx {

// config.pos_att_type: a list (["c2p", "p2c"]) or the legacy "c2p|p2c" string.
inline std::set<std::string> pos_att_types(const Config& c) {
    std::set<std::string> out;
    if (size_t n = c.size("pos_att_type")) {
        for (size_t k = 0; k < n; ++k) out.insert(c.s("pos_att_type/" + std::to_string(k)));
    } else {
        std::string text = c.s("pos_att_type", "");
        for (size_t start = 0; start < text.size();) {
            size_t end = std::min(text.find('|', start), text.size());
            std::string part;
            for (char ch : text.substr(start, end - start))
                if (ch != ' ') part += char(std::tolower(static_cast<unsigned char>(ch)));
            if (!part.empty()) out.insert(part);
            start = end + 1;
        }
    }
    for (const std::string& t : out)
        if (t != "c2p" && t != "p2c") throw Error("config key 'pos_att_type': unknown type '" + t + "'");
    return out;
}

// build_relative_position without buckets: rel[i, j] = i - j, [q, k] int64.
// `q_len`, `k_len` are int64 scalars (e.g. squeeze(dim(x, 1), {0})).
inline Value relative_position(Value q_len, Value k_len) {
    Graph& g = *q_len.g;
    Value q = unsqueeze(range(g.scalar_i64(0), q_len, g.scalar_i64(1)), {1});
    Value k = unsqueeze(range(g.scalar_i64(0), k_len, g.scalar_i64(1)), {0});
    return q - k;
}

// make_log_bucket_position: positions within +-bucket_size/2 stay exact, farther
// ones are log-compressed up to max_position. int64 in, int64 out; the log math
// runs in float32 as torch does.
inline Value log_bucket_position(Value rel, int64_t bucket_size, int64_t max_position) {
    Graph& g = *rel.g;
    int64_t mid = bucket_size / 2;
    Value sign = unary("Sign", rel);
    Value near = logical_and(less(rel, g.scalar_i64(mid)), greater(rel, g.scalar_i64(-mid)));
    Value abs_pos = where(near, g.scalar_i64(mid - 1), abs(rel));
    float log_den = std::log(float(double(max_position - 1) / double(mid)));
    Value ratio = cast(abs_pos, DT::f32) / float(mid);
    Value log_pos = unary("Ceil", log(ratio) / log_den * float(mid - 1)) + float(mid);
    Value bucket =
        where(logical_not(greater(abs_pos, g.scalar_i64(mid))), cast(rel, DT::f32), log_pos * cast(sign, DT::f32));
    return cast(bucket, DT::i64);
}

// Content->position: c2p[b, h, i, j] = (q_i . pos_key[c2p_pos[i, j]]).
// q [b, h, s, d], pos_key [1 or b, h, 2*span, d], c2p_pos [s, s] int64.
inline Value c2p_scores(Value q, Value pos_key, Value c2p_pos) {
    Value att = matmul(q, transpose(pos_key, {0, 1, 3, 2}));  // [b, h, s, 2*span]
    Value shape = concat({slice(shape_of(att), 0, 0, 3), dim(c2p_pos, 1)}, 0);
    return att.g->node("GatherElements", {att, expand(c2p_pos, shape)}, {A::integer("axis", -1)});
}

// Position->content: p2c[b, h, i, j] = (k_j . pos_query[p2c_pos[j, i]]), the
// gather on the key rows transposed back. k [b, h, s, d], pos_query [., h, 2*span, d].
inline Value p2c_scores(Value k, Value pos_query, Value p2c_pos) {
    Value att = matmul(k, transpose(pos_query, {0, 1, 3, 2}));  // [b, h, s_k, 2*span]
    Value shape = concat({slice(shape_of(att), 0, 0, 3), dim(p2c_pos, 1)}, 0);
    Value gathered = att.g->node("GatherElements", {att, expand(p2c_pos, shape)}, {A::integer("axis", -1)});
    return transpose(gathered, {0, 1, 3, 2});
}

// DeBERTa's encoder mask: keep[b, 1, i, j] = mask[b, i] * mask[b, j] (bool).
inline Value pairwise_mask(Value attention_mask) {
    Value token = logical_not(equal(attention_mask, attention_mask.g->scalar_i64(0)));  // [b, s]
    return logical_and(unsqueeze(token, {1, 3}), unsqueeze(token, {1, 2}));             // [b, 1, s, s]
}

// XSoftmax: masked entries get finfo.min before the softmax and 0 after it,
// so a fully masked row (a padding query) yields zeros, not a uniform average.
inline Value masked_softmax(Value scores, Value keep, int64_t axis = -1) {
    Graph& g = *scores.g;
    Value p = softmax(where(keep, scores, g.scalar(kMaskValue)), axis);
    return where(keep, p, g.scalar(0.f));
}

// What every layer's attention shares: the pairwise mask, the relative
// positions and the rows of rel_embeddings in use (DebertaEncoder's
// get_attention_mask / get_rel_pos / get_rel_embedding, v1 and v2).
struct DisentangledRelative {
    Value keep;              // [b, 1, s, s] bool
    Value c2p_pos, p2c_pos;  // [s, s] int64
    Value rel_embeddings;    // [1, 2*span, hidden]
};

// Sizes of DebertaEmbeddings / DebertaV2Embeddings (the same module in v1 and v2).
struct DebertaEmbeddingOptions {
    int64_t vocab = -1, embed = -1, hidden = -1, max_pos = -1, type_vocab = 0;
    bool position_biased_input = true;
    double eps = 1e-7;
};

// Words (+ positions) (+ token types), embed_proj, LayerNorm, zeroed on padding.
inline Value deberta_embeddings(const Weights& vb, Value ids, std::optional<Value> types, Value mask,
                                const DebertaEmbeddingOptions& o) {
    Graph& g = vb.graph();
    auto s = vb.scope();
    Value x = embedding(vb.pp("word_embeddings"), ids, o.vocab, o.embed);
    if (o.position_biased_input) {
        Value positions = unsqueeze(range(g.scalar_i64(0), squeeze(dim(ids, 1), {0}), g.scalar_i64(1)), {0});
        x = x + embedding(vb.pp("position_embeddings"), positions, o.max_pos, o.embed);
    }
    if (o.type_vocab > 0) x = x + embedding(vb.pp("token_type_embeddings"), *types, o.type_vocab, o.embed);
    if (o.embed != o.hidden) x = linear(vb.pp("embed_proj"), x, {.in = o.embed, .out = o.hidden, .bias = false});
    x = layer_norm(vb.pp("LayerNorm"), x, {.dim = o.hidden, .eps = o.eps});  // DebertaLayerNorm: same math
    return x * unsqueeze(cast(mask, DT::f32), {2});
}

// The keys DebertaConfig and DebertaV2Config read alike, with HF's defaults.
struct DebertaLikeConfig {
    int64_t hidden, embed, heads, layers, inter, vocab, type_vocab, max_pos, max_rel, pooler_hidden;
    double eps;
    std::string act, pooler_act;
    bool position_biased_input, relative_attention;
    std::set<std::string> pos_att;
    explicit DebertaLikeConfig(const Config& c)
        : hidden(c.i("hidden_size")), embed(c.i("embedding_size", hidden)), heads(c.i("num_attention_heads")),
          layers(c.i("num_hidden_layers")), inter(c.i("intermediate_size")), vocab(c.i("vocab_size")),
          type_vocab(c.i("type_vocab_size", 0)), max_pos(c.i("max_position_embeddings", 512)),
          max_rel(c.i("max_relative_positions", -1)), pooler_hidden(c.i("pooler_hidden_size", hidden)),
          eps(c.f("layer_norm_eps", 1e-7)), act(c.s("hidden_act", "gelu")),
          pooler_act(c.s("pooler_hidden_act", "gelu")), position_biased_input(c.b("position_biased_input", true)),
          relative_attention(c.b("relative_attention", false)), pos_att(pos_att_types(c)) {
        if (max_rel < 1) max_rel = max_pos;
    }
    bool c2p() const { return pos_att.count("c2p") > 0; }
    bool p2c() const { return pos_att.count("p2c") > 0; }
    // The attention scale, sqrt(head_dim * scale_factor): scale_factor counts the content score and each pos_att kind.
    float scale(int64_t head_dim) const { return std::sqrt(float(head_dim) * float(1 + pos_att.size())); }
    TextEncoderOnnxConfig::Options onnx_options() const {
        return {.token_type_ids = type_vocab > 0, .type_vocab_size = type_vocab, .vocab_size = vocab};
    }
    BertLayerOptions layer_options() const {
        return {.hidden = hidden, .heads = heads, .inter = inter, .eps = eps, .act = act};
    }
    DebertaEmbeddingOptions embedding_options() const {
        return {.vocab = vocab,
                .embed = embed,
                .hidden = hidden,
                .max_pos = max_pos,
                .type_vocab = type_vocab,
                .position_biased_input = position_biased_input,
                .eps = eps};
    }
};

// DeBERTa's task heads (v1 and v2): no pooler output; the classifiers read
// ContextPooler (dense + pooler_hidden_act on the first token); BERT's LM head
// with its transform to embedding_size. `base` is the "deberta" view.
inline void deberta_task_outputs(OnnxConfig& oc, const Weights& base, Value x, Value input_ids,
                                 const DebertaLikeConfig& c) {
    Graph& g = base.graph();
    encoder_task_outputs(
        oc, x, input_ids,
        {.hidden = c.hidden,
         .pooled_hidden = c.pooler_hidden,
         .pooled = [&](Value h) { return context_pooler(Weights(g, "pooler"), h, c.pooler_hidden, c.pooler_act); },
         .masked_lm =
             [&](Value h) {
                 return bert_lm_head(
                     Weights(g, "cls.predictions"), base.pp("embeddings.word_embeddings"), h,
                     {.hidden = c.hidden, .vocab = c.vocab, .eps = c.eps, .act = c.act, .embed = c.embed});
             }});
}

}  // namespace hfx
