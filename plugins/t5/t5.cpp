// T5, mT5 and LongT5 (local attention), following transformers 4.40.2
// models/t5/modeling_t5.py, models/mt5/modeling_mt5.py (a copy of T5) and
// models/longt5/modeling_longt5.py: RMS LayerNorm, no attention scaling, a
// relative position bias owned by layer 0 and reused by every layer.
#include <hfx/blocks/t5.h>
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct Cfg {
    int64_t d, d_kv, d_ff, layers, dec_layers, heads, vocab, buckets, max_distance, block_len;
    double eps;
    std::string act, encoder_attention;
    bool gated, tie;
    // MT5Config unties the LM head by default, T5Config and LongT5Config tie it.
    Cfg(const Config& c, bool tie_default)
        : d(c.i("d_model")), d_kv(c.i("d_kv")), d_ff(c.i("d_ff")), layers(c.i("num_layers")),
          dec_layers(c.i("num_decoder_layers", layers)), heads(c.i("num_heads")), vocab(c.i("vocab_size")),
          buckets(c.i("relative_attention_num_buckets", 32)), max_distance(c.i("relative_attention_max_distance", 128)),
          block_len(c.i("local_radius", 127) + 1), eps(c.f("layer_norm_epsilon", 1e-6)),
          encoder_attention(c.s("encoder_attention_type", "full")), tie(c.b("tie_word_embeddings", tie_default)) {
        // T5Config: "gated-gelu" means gelu_new behind a gate; "relu", "gated-silu", ... otherwise.
        std::string proj = c.s("feed_forward_proj", "relu");
        gated = proj.rfind("gated-", 0) == 0;
        act = proj == "gated-gelu" ? "gelu_new" : gated ? proj.substr(6) : proj;
        // save_pretrained stores what T5Config derived; stored keys reach the config after
        // __init__ derives them, so T5DenseActDense / T5DenseGatedActDense use the stored ones.
        act = c.s("dense_act_fn", act);
        gated = c.b("is_gated_act", gated);
        (void)c.has("global_block_size");  // LongT5's transient-global attention only, refused below
        if (encoder_attention != "full" && encoder_attention != "local")
            throw Error("config key 'encoder_attention_type': '" + encoder_attention +
                        "' is not supported (only LongT5's 'local' attention)");
    }
    int64_t inner() const { return heads * d_kv; }
};

Value norm(const Weights& vb, Value x, const Cfg& c) { return rms_norm(vb, x, {.dim = c.d, .eps = c.eps}); }

Value heads_of(const Weights& vb, Value x, const Cfg& c) {
    return split_heads(linear(vb, x, {.in = c.d, .out = c.inner(), .bias = false}), c.heads, c.d_kv);
}

// T5Attention: softmax(q k^T + position_bias) v, unscaled, then o.
Value attention(const Weights& vb, Value x, std::pair<Value, Value> kv, Value bias, const Cfg& c) {
    auto s = vb.scope();
    Value ctx = scaled_dot_product(heads_of(vb.pp("q"), x, c), kv.first, kv.second,
                                   {.head_dim = c.d_kv, .scale = 1.f, .bias = bias});
    return linear(vb.pp("o"), merge_heads(ctx), {.in = c.inner(), .out = c.d, .bias = false});
}

// T5DenseActDense / T5DenseGatedActDense
Value feed_forward(const Weights& vb, Value x, const Cfg& c) {
    auto s = vb.scope();
    Value h = c.gated ? activation(linear(vb.pp("wi_0"), x, {.in = c.d, .out = c.d_ff, .bias = false}), c.act) *
                            linear(vb.pp("wi_1"), x, {.in = c.d, .out = c.d_ff, .bias = false})
                      : activation(linear(vb.pp("wi"), x, {.in = c.d, .out = c.d_ff, .bias = false}), c.act);
    return linear(vb.pp("wo"), h, {.in = c.d_ff, .out = c.d, .bias = false});
}

// -- LongT5 local attention: blocks of block_len, each query block sees its neighbours ----------

// Pads axis 1 of x to a multiple of block_len with `value` and splits it: [b, s, *rest] -> [b, nb, block_len, *rest]
Value split_into_blocks(Value x, Value pad_len, int64_t rank, int64_t block_len, Value value, Ints rest = {}) {
    Graph& g = *x.g;
    std::vector<Value> pads = {g.constant_i64(std::vector<int64_t>(size_t(rank + 1), 0)), pad_len,
                               g.constant_i64(std::vector<int64_t>(size_t(rank - 2), 0))};
    Value padded = g.node("Pad", {x, concat(pads, 0), value});
    Ints shape = {0, -1, block_len};
    shape.insert(shape.end(), rest.begin(), rest.end());
    return reshape(padded, shape);
}
// _concatenate_3_blocks: [b, nb, bl, ...] -> [b, nb, 3 bl, ...] (previous, own, next block; zeros outside)
Value concatenate_3_blocks(Value x, int64_t rank, Value value) {
    Graph& g = *x.g;
    Ints pads(size_t(2 * rank), 0);
    pads[1] = 1, pads[size_t(rank) + 1] = 1;
    Value p = g.node("Pad", {x, g.constant_i64(pads), value});
    return concat({slice(p, 1, 0, -2), slice(p, 1, 1, -1), slice(p, 1, 2, INT64_MAX)}, 2);
}

// The position bias + local mask of every layer: [b, nb, heads, bl, 3 bl] (_get_local_attention_mask,
// LongT5LocalAttention.compute_bias; masked keys get -1e10 as in the original implementation).
Value local_bias(const Weights& table, Value mask, Value pad_len, const Cfg& c) {
    Graph& g = table.graph();
    int64_t bl = c.block_len;
    Value blocks = split_into_blocks(mask, pad_len, 2, bl, g.scalar_i64(0));  // [b, nb, bl]
    Value three = concatenate_3_blocks(blocks, 3, g.scalar_i64(0));           // [b, nb, 3bl]
    Value one = g.scalar_i64(1);
    Value visible = logical_and(equal(unsqueeze(blocks, {-1}), one), equal(unsqueeze(three, {-2}), one));
    std::vector<int64_t> near;  // |key - query| < bl within the 3-block window
    for (int64_t q = bl; q < 2 * bl; ++q)
        for (int64_t k = 0; k < 3 * bl; ++k) near.push_back(std::abs(k - q) < bl ? 1 : 0);
    visible = logical_and(visible, equal(g.constant_i64(near, {bl, 3 * bl}), one));
    Value m = unsqueeze(where(visible, g.scalar(0.f), g.scalar(-1e10f)), {2});  // [b, nb, 1, bl, 3bl]
    Value bias =
        relative_position_bias(table, g.scalar_i64(bl), g.scalar_i64(bl), g.scalar_i64(3 * bl), c.heads,
                               {.bidirectional = true, .num_buckets = c.buckets, .max_distance = c.max_distance});
    return unsqueeze(bias, {0}) + m;
}

Value local_attention(const Weights& vb, Value x, Value bias, Value pad_len, const Cfg& c) {
    Graph& g = vb.graph();
    auto s = vb.scope();
    auto blocked = [&](const char* name) {  // [b, nb, bl, heads, d_kv]
        Value h =
            reshape(linear(vb.pp(name), x, {.in = c.d, .out = c.inner(), .bias = false}), {0, 0, c.heads, c.d_kv});
        return split_into_blocks(h, pad_len, 4, c.block_len, g.scalar(0.f), {c.heads, c.d_kv});
    };
    Value q = transpose(blocked("q"), {0, 1, 3, 2, 4});                                          // [b, nb, h, bl, d]
    Value k = transpose(concatenate_3_blocks(blocked("k"), 5, g.scalar(0.f)), {0, 1, 3, 4, 2});  // [b, nb, h, d, 3bl]
    Value v = transpose(concatenate_3_blocks(blocked("v"), 5, g.scalar(0.f)), {0, 1, 3, 2, 4});  // [b, nb, h, 3bl, d]
    Value ctx = matmul(softmax(matmul(q, k) + bias, -1), v);                                     // [b, nb, h, bl, d]
    ctx = reshape(transpose(ctx, {0, 1, 3, 2, 4}), {0, -1, c.inner()});
    ctx = g.node("Slice", {ctx, g.constant_i64({0}), dim(x, 1), g.constant_i64({1})});  // drop the padding
    return linear(vb.pp("o"), ctx, {.in = c.inner(), .out = c.d, .bias = false});
}

Value encoder(const Weights& vb, const Cfg& c, Value ids, Value mask) {
    Graph& g = vb.graph();
    Value x = embedding(Weights(g, "shared"), ids, c.vocab, c.d);
    bool local = c.encoder_attention == "local";
    std::string attn = local ? "layer.0.LocalSelfAttention" : "layer.0.SelfAttention";
    Value len = squeeze(dim(ids, 1), {0});
    Value pad_len;  // LongT5: padding up to a whole number of blocks, [1]
    if (local)
        pad_len = binary("Mod", g.scalar_i64(c.block_len) - binary("Mod", dim(ids, 1), g.scalar_i64(c.block_len)),
                         g.scalar_i64(c.block_len));
    Weights table = vb.pp("block.0").pp(attn + ".relative_attention_bias");
    Value bias = local ? local_bias(table, mask, pad_len, c)
                       : relative_position_bias(table, g.scalar_i64(0), len, len, c.heads,
                                                {.num_buckets = c.buckets, .max_distance = c.max_distance}) +
                             padding_bias(mask);
    for (int64_t i = 0; i < c.layers; ++i) {
        Weights b = vb.pp("block", i);
        auto s = b.scope();
        Value h = norm(b.pp("layer.0.layer_norm"), x, c);
        x = x + (local ? local_attention(b.pp(attn), h, bias, pad_len, c)
                       : attention(b.pp(attn), h,
                                   {heads_of(b.pp(attn + ".k"), h, c), heads_of(b.pp(attn + ".v"), h, c)}, bias, c));
        x = x + feed_forward(b.pp("layer.1.DenseReluDense"), norm(b.pp("layer.1.layer_norm"), x, c), c);
    }
    return norm(vb.pp("final_layer_norm"), x, c);
}

Value decoder(const Weights& vb, const Cfg& c, Value ids, Value enc, Value enc_mask, Seq2SeqCache& cache) {
    Graph& g = vb.graph();
    Value x = embedding(Weights(g, "shared"), ids, c.vocab, c.d);
    Value past = cache.past_length(g), fresh = squeeze(dim(ids, 1), {0});
    Value self_bias = relative_position_bias(
                          vb.pp("block.0.layer.0.SelfAttention.relative_attention_bias"), past, fresh, past + fresh,
                          c.heads, {.bidirectional = false, .num_buckets = c.buckets, .max_distance = c.max_distance}) +
                      decoder_causal_bias(ids, past);
    Value cross_bias = padding_bias(enc_mask);
    for (int64_t i = 0; i < c.dec_layers; ++i) {
        Weights b = vb.pp("block", i);
        auto s = b.scope();
        Weights sa = b.pp("layer.0.SelfAttention"), ca = b.pp("layer.1.EncDecAttention");
        Value h = norm(b.pp("layer.0.layer_norm"), x, c);
        x = x +
            attention(sa, h, cache.self_kv(i, heads_of(sa.pp("k"), h, c), heads_of(sa.pp("v"), h, c)), self_bias, c);
        h = norm(b.pp("layer.1.layer_norm"), x, c);
        auto kv = cache.cross_kv(i, [&] {
            return std::pair{heads_of(ca.pp("k"), enc, c), heads_of(ca.pp("v"), enc, c)};
        });
        x = x + attention(ca, h, kv, cross_bias, c);
        x = x + feed_forward(b.pp("layer.2.DenseReluDense"), norm(b.pp("layer.2.layer_norm"), x, c), c);
    }
    return norm(vb.pp("final_layer_norm"), x, c);
}

template <bool TieByDefault>
void build(Graph& g) {
    Cfg c(g.config(), TieByDefault);
    std::string task = task_of(g.feature());
    Seq2SeqOnnxConfig oc(g, g.feature(),
                         {.vocab_size = c.vocab, .hidden = c.d, .past = {c.dec_layers, c.heads, c.d_kv}});
    auto in = oc.declare_inputs();
    Value enc, enc_mask;
    if (oc.runs_encoder()) {
        enc = encoder(Weights(g, "encoder"), c, in["input_ids"], enc_mask = in["attention_mask"]);
        if (oc.component() == "encoder") return oc.output("last_hidden_state", enc);
    } else {
        enc = in["encoder_hidden_states"], enc_mask = in["encoder_attention_mask"];
    }
    Seq2SeqCache cache(oc, in);
    Value h = decoder(Weights(g, "decoder"), c, in[oc.component().empty() ? "decoder_input_ids" : "input_ids"], enc,
                      enc_mask, cache);
    if (task == "default") {
        oc.output("last_hidden_state", h);
    } else {
        // Tied embeddings: the decoder output is rescaled by d_model^-0.5 before the shared projection.
        if (c.tie) h = h * float(std::pow(double(c.d), -0.5));
        oc.output("logits", tied_lm_projection(Weights(g, "lm_head"), Weights(g, "shared"), h, c.d, c.vocab));
    }
    if (oc.component().empty()) oc.output("encoder_last_hidden_state", enc);
}

std::string tiny(const std::string& type, const std::string& extra) {
    return R"({"model_type": ")" + type + R"(", "vocab_size": 99, "d_model": 32, "d_kv": 8, "d_ff": 37, "num_layers": 2,
        "num_decoder_layers": 2, "num_heads": 4, "relative_attention_num_buckets": 32, "relative_attention_max_distance": 128,
        "layer_norm_epsilon": 1e-6, "pad_token_id": 0, "eos_token_id": 1, "decoder_start_token_id": 0)" +
           extra + "}";
}

}  // namespace

HFX_PLUGIN("t5", "0.1.0") {
    std::vector<std::string> features = {"default", "default-with-past", "seq2seq-lm", "seq2seq-lm-with-past"};
    reg.add({.model_type = "t5",
             .features = features,
             .reference = "transformers 4.40.2 models/t5/modeling_t5.py",
             .build = build<true>,
             .tiny_config = tiny("t5", R"(, "feed_forward_proj": "relu")")});
    reg.add({.model_type = "mt5",
             .features = features,
             .reference = "transformers 4.40.2 models/mt5/modeling_mt5.py",
             .build = build<false>,
             .tiny_config = tiny("mt5", R"(, "feed_forward_proj": "gated-gelu", "tie_word_embeddings": false)")});
    reg.add({.model_type = "longt5",
             .features = features,
             .reference = "transformers 4.40.2 models/longt5/modeling_longt5.py (local attention)",
             .build = build<true>,
             .tiny_config =
                 tiny("longt5",
                      R"(, "feed_forward_proj": "gated-gelu", "encoder_attention_type": "local", "local_radius": 2)")});
}
