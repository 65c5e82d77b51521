// A one-layer causal decoder for the selftest harness: correct as
// "toy-decoder" (it exercises the with-past checks), and built again with
// HFX_BAD_PAST as "bad-past", whose present.* come out as
// [batch, seq, heads, head_dim] while the OnnxConfig declares
// [batch, heads, seq, head_dim]: selftest must name that output.
#include <hfx/blocks/decoder.h>
#include <hfx/hfx.h>
#include <tuple>

using namespace hfx;

#ifdef HFX_BAD_PAST
#define TOY_TYPE "bad-past"
#else
#define TOY_TYPE "toy-decoder"
#endif

static void build(Graph& g) {
    Config c = g.config();
    int64_t hidden = c.i("hidden_size"), heads = c.i("num_attention_heads"), vocab = c.i("vocab_size");
    int64_t head_dim = hidden / heads, max_pos = c.i("max_position_embeddings");
    DecoderOnnxConfig oc(g, g.feature(),
                         {.vocab_size = vocab, .past = {.layers = 1, .kv_heads = heads, .head_dim = head_dim}});
    auto in = oc.declare_inputs();
    Weights vb = Weights::base(g, "model", "embed_tokens.weight");
    Value x = embedding(vb.pp("embed_tokens"), in["input_ids"], vocab, hidden) +
              embedding(vb.pp("embed_positions"), in["position_ids"], max_pos, hidden);
    Weights attn = vb.pp("layers.0.self_attn");
    auto proj = [&](const char* n) {
        return split_heads(linear(attn.pp(n), x, {.in = hidden, .out = hidden}), heads, head_dim);
    };
    Value q = proj("q_proj"), k = proj("k_proj"), v = proj("v_proj");
#ifdef HFX_BAD_PAST
    if (oc.use_past()) {
        k = concat({in["past_key_values.0.key"], k}, 2);
        v = concat({in["past_key_values.0.value"], v}, 2);
        oc.output("present.0.key", transpose(k, {0, 2, 1, 3}));  // the bug: not the declared layout
        oc.output("present.0.value", transpose(v, {0, 2, 1, 3}));
    }
#else
    KvCache cache(oc, in);
    std::tie(k, v) = cache.append(0, k, v);
#endif
    Value ctx = merge_heads(scaled_dot_product(
        q, k, v, {.head_dim = head_dim, .bias = causal_bias(in["input_ids"], in["attention_mask"])}));
    x = x + linear(attn.pp("o_proj"), ctx, {.in = hidden, .out = hidden});
    x = layer_norm(vb.pp("norm"), x, {.dim = hidden});
    if (oc.task() == "default") return oc.output("last_hidden_state", x);
    // Untied here (as Llama's default): the head must be in the checkpoint, and make-tiny must create it.
    Weights head(g, "lm_head");
    if (!c.b("tie_word_embeddings", true) && !head.has("weight"))
        throw Error("tensor 'lm_head.weight': not in the checkpoint and tie_word_embeddings is false");
    oc.output("logits", tied_lm_projection(head, vb.pp("embed_tokens"), x, hidden, vocab));
}

HFX_PLUGIN(TOY_TYPE, "1") {
    reg.add({.model_type = TOY_TYPE,
             .features = {"default", "causal-lm", "causal-lm-with-past"},
             .build = build,
             .tiny_config = R"({"model_type": ")" TOY_TYPE R"(", "vocab_size": 50, "hidden_size": 16,
                 "num_attention_heads": 2, "max_position_embeddings": 32, "tie_word_embeddings": false})"});
}
