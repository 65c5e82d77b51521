// Falcon, following transformers 4.40.2 models/falcon/modeling_falcon.py (FalconModel,
// FalconForCausalLM, FalconForSequenceClassification, FalconForTokenClassification), eager
// attention with rotary embeddings. The fused query_key_value projection has three layouts:
// new_decoder_architecture (grouped: per kv head, its queries then one key and one value),
// multi_query (all queries, then one shared key and value) and the original (q, k, v per head).
#include <array>

#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct FalconConfig {
    int64_t hidden, heads, kv_heads, layers, ffn, vocab, head_dim, pad_token_id, num_ln;
    double eps;
    bool bias, new_arch, multi_query, parallel_attn;
    std::string act;
    RotaryOptions rope;
    explicit FalconConfig(const Config& c)
        : hidden(c.i("hidden_size")), heads(c.i("num_attention_heads")), kv_heads(c.i("num_kv_heads", heads)),
          layers(c.i("num_hidden_layers")), ffn(c.i("ffn_hidden_size", 4 * hidden)), vocab(c.i("vocab_size")),
          head_dim(hidden / heads), pad_token_id(c.i("pad_token_id", -1)), num_ln(c.i("num_ln_in_parallel_attn", 2)),
          eps(c.f("layer_norm_epsilon", 1e-5)), bias(c.b("bias", false)),
          new_arch(c.b("new_decoder_architecture", false)), multi_query(c.b("multi_query", true)),
          parallel_attn(c.b("parallel_attn", true)), act(c.s("activation", "gelu")),
          rope(rotary_config(c, {.head_dim = head_dim})) {
        if (c.b("alibi", false))
            throw Error("config key 'alibi': ALiBi Falcon checkpoints are not supported yet (rotary only)");
        if (new_arch && heads % kv_heads) throw Error("config key 'num_kv_heads': must divide num_attention_heads");
    }
    // Heads of the key/value cache: the new architecture caches keys already
    // broadcast to every query head; multi_query shares one.
    int64_t cache_heads() const { return new_arch ? heads : multi_query ? 1 : heads; }
};

// FalconAttention._split_heads: [b, s, qkv_out] -> q [b, s, heads, d], k and v [b, s, cache_heads, d].
std::array<Value, 3> split_fused_qkv(const FalconConfig& c, Value qkv) {
    int64_t d = c.head_dim;
    if (c.new_arch) {
        int64_t group = c.heads / c.kv_heads;
        Value x = reshape(qkv, {0, 0, c.kv_heads, group + 2, d});  // [b, s, kv, group + 2, d]
        Value q = slice(x, 3, 0, group);
        Value shape = shape_of(q);
        auto flat = [&](Value t) { return reshape(t, {0, 0, c.heads, d}); };
        return {flat(q), flat(expand(slice(x, 3, group, group + 1), shape)),
                flat(expand(slice(x, 3, group + 1, group + 2), shape))};
    }
    if (c.multi_query) {
        Value x = reshape(qkv, {0, 0, c.heads + 2, d});  // [b, s, heads + 2, d]
        return {slice(x, 2, 0, c.heads), slice(x, 2, c.heads, c.heads + 1), slice(x, 2, c.heads + 1, c.heads + 2)};
    }
    Value x = reshape(qkv, {0, 0, c.heads, 3, d});  // [b, s, heads, 3, d]
    auto part = [&](int64_t k) { return squeeze(slice(x, 3, k, k + 1), {3}); };
    return {part(0), part(1), part(2)};
}

// FalconAttention.forward (rotary, eager): fused qkv, rotary, cache, softmax(q k^T / sqrt(d) + mask) v, dense.
Value attention(const Weights& vb, const FalconConfig& c, Value x, Value mask_bias, const RotaryTables& rope,
                KvCache& cache, int64_t layer) {
    auto s = vb.scope();
    int64_t qkv_out = c.new_arch      ? (2 * c.kv_heads + c.heads) * c.head_dim
                      : c.multi_query ? c.hidden + 2 * c.head_dim
                                      : 3 * c.hidden;
    Value fused = linear(vb.pp("query_key_value"), x, {.in = c.hidden, .out = qkv_out, .bias = c.bias});
    auto [q, k, v] = split_fused_qkv(c, fused);
    q = apply_rotary(transpose(q, {0, 2, 1, 3}), rope, c.rope);  // [b, heads, s, d]
    k = apply_rotary(transpose(k, {0, 2, 1, 3}), rope, c.rope);  // [b, cache_heads, s, d]
    v = transpose(v, {0, 2, 1, 3});
    std::tie(k, v) = cache.append(layer, k, v);  // [b, cache_heads, past + s, d]
    int64_t n_rep = c.heads / c.cache_heads();
    k = repeat_kv(k, c.cache_heads(), n_rep, c.head_dim);
    v = repeat_kv(v, c.cache_heads(), n_rep, c.head_dim);
    Value ctx = merge_heads(scaled_dot_product(q, k, v, {.head_dim = c.head_dim, .bias = mask_bias}));
    return linear(vb.pp("dense"), ctx, {.in = c.hidden, .out = c.hidden, .bias = c.bias});
}

// FalconMLP: dense_4h_to_h(act(dense_h_to_4h(x))).
Value mlp(const Weights& vb, const FalconConfig& c, Value x) {
    auto s = vb.scope();
    Value h = activation(linear(vb.pp("dense_h_to_4h"), x, {.in = c.hidden, .out = c.ffn, .bias = c.bias}), c.act);
    return linear(vb.pp("dense_4h_to_h"), h, {.in = c.ffn, .out = c.hidden, .bias = c.bias});
}

// FalconDecoderLayer.forward.
Value decoder_layer(const Weights& vb, const FalconConfig& c, Value x, Value mask_bias, const RotaryTables& rope,
                    KvCache& cache, int64_t layer) {
    auto s = vb.scope();
    auto ln = [&](const char* name, Value t) { return layer_norm(vb.pp(name), t, {.dim = c.hidden, .eps = c.eps}); };
    Value residual = x, attn_in, mlp_in;
    bool two_norms = c.new_arch && c.num_ln == 2;
    attn_in = two_norms ? ln("ln_attn", x) : ln("input_layernorm", x);
    if (two_norms) mlp_in = ln("ln_mlp", x);
    Value attn = attention(vb.pp("self_attention"), c, attn_in, mask_bias, rope, cache, layer);
    if (!c.new_arch) {
        if (c.parallel_attn) {
            mlp_in = attn_in;
        } else {
            residual = residual + attn;
            mlp_in = ln("post_attention_layernorm", residual);
        }
    } else if (!two_norms) {
        mlp_in = attn_in;
    }
    Value out = mlp(vb.pp("mlp"), c, mlp_in);
    if (c.new_arch || c.parallel_attn) out = out + attn;
    return residual + out;
}

void build(Graph& g) {
    FalconConfig c(g.config());
    // Without position_ids FalconModel uses past .. past + sequence - 1.
    DecoderInputs d(g, {.vocab_size = c.vocab, .past = {c.layers, c.cache_heads(), c.head_dim}},
                    DecoderInputs::Positions::batched);

    Weights model = Weights::base(g, "transformer", "word_embeddings.weight");
    Value x = embedding(model.pp("word_embeddings"), d.ids, c.vocab, c.hidden);  // [b, s, hidden]
    Value mask_bias = causal_bias(d.ids, d.mask);                                // [b, 1, s, past + s]
    RotaryTables rope = rotary_tables(d.positions, c.rope);
    for (int64_t i = 0; i < c.layers; ++i) x = decoder_layer(model.pp("h", i), c, x, mask_bias, rope, d.cache, i);
    x = layer_norm(model.pp("ln_f"), x, {.dim = c.hidden, .eps = c.eps});

    decoder_task_outputs(d.oc, x, d.ids,
                         {.embedding = model.pp("word_embeddings"),
                          .hidden = c.hidden,
                          .vocab = c.vocab,
                          .pad_token_id = c.pad_token_id,
                          .tie_default = true,
                          .score_then_pick = true});
}

}  // namespace

HFX_PLUGIN("falcon", "0.1.0") {
    reg.add(
        {.model_type = "falcon",
         .features = {"default", "causal-lm", "causal-lm-with-past", "sequence-classification", "token-classification"},
         .reference = "transformers 4.40.2 models/falcon/modeling_falcon.py",
         .build = build,
         .tiny_config = R"({"model_type": "falcon", "vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_kv_heads": 2, "new_decoder_architecture": true, "multi_query": true,
                 "parallel_attn": true, "alibi": false, "bias": false, "layer_norm_epsilon": 1e-5,
                 "max_position_embeddings": 128, "rope_theta": 10000.0, "pad_token_id": 0})"});
}
