// GPTBigCode (SantaCoder, StarCoder 1, WizardCoder), following transformers 4.40.2
// models/gpt_bigcode/modeling_gpt_bigcode.py (GPTBigCodeModel, GPTBigCodeForCausalLM,
// GPTBigCodeForSequenceClassification, GPTBigCodeForTokenClassification), eager attention:
// GPT-2 with nn.Linear layers and multi-query attention whose fused c_attn gives q and one
// key_value [.., 2 * head_dim], cached as such (blocks/fused_kv.h).
#include <hfx/blocks/fused_kv.h>
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct BigCodeConfig {
    int64_t hidden, heads, layers, inter, vocab, max_pos, head_dim;
    double eps;
    bool scale;
    std::string act;
    explicit BigCodeConfig(const Config& c)
        : hidden(c.i("n_embd")), heads(c.i("n_head")), layers(c.i("n_layer")), inter(c.i("n_inner", 4 * hidden)),
          vocab(c.i("vocab_size")), max_pos(c.i("n_positions")), head_dim(hidden / heads),
          eps(c.f("layer_norm_epsilon", 1e-5)), scale(c.b("scale_attn_weights", true)),
          act(c.s("activation_function", "gelu_pytorch_tanh")) {
        if (head_dim * heads != hidden)
            throw Error("config key 'n_head': must divide n_embd for model type 'gpt_bigcode'");
        // multi_query false keeps a per-head cache [batch, heads, seq, 2 * head_dim], not implemented.
        if (!c.b("multi_query", true))
            throw Error(
                "config key 'multi_query': false is not supported for model type 'gpt_bigcode' (multi-query only)");
        // attention_softmax_in_fp32 / scale_attention_softmax_in_fp32 only matter for half precision.
    }
};

// GPTBigCodeAttention.forward (eager, multi_query): q [b, s, heads, d] against the one shared
// key/value head; where(mask, q k^T / sqrt(d), finfo.min), softmax, c_proj.
Value attention(const Weights& vb, const BigCodeConfig& c, Value x, Value visible, FusedKvDecoderOnnxConfig& oc,
                std::map<std::string, Value>& in, int64_t layer) {
    auto s = vb.scope();
    Graph& g = *x.g;
    Value qkv = linear(vb.pp("c_attn"), x, {.in = c.hidden, .out = c.hidden + 2 * c.head_dim});
    auto parts = split(qkv, -1, {c.hidden, 2 * c.head_dim});
    Value kv = append_fused_kv(oc, in, layer, parts[1]);                      // [b, past + s, 2d]
    auto kv_parts = split(unsqueeze(kv, {1}), -1, {c.head_dim, c.head_dim});  // [b, 1, past + s, d] each
    Value q = split_heads(parts[0], c.heads, c.head_dim);                     // [b, heads, s, d]
    Value w = matmul(q, transpose(kv_parts[0], {0, 1, 3, 2}));                // [b, heads, s, past + s]
    if (c.scale) w = w * float(1.0 / std::sqrt(double(c.head_dim)));
    w = where(visible, w, g.scalar(kMaskValue));
    Value ctx = merge_heads(matmul(softmax(w, -1), kv_parts[1]));
    return linear(vb.pp("c_proj"), ctx, {.in = c.hidden, .out = c.hidden});
}

// GPTBigCodeMLP: c_proj(act(c_fc(x))).
Value mlp(const Weights& vb, const BigCodeConfig& c, Value x) {
    auto s = vb.scope();
    Value h = activation(linear(vb.pp("c_fc"), x, {.in = c.hidden, .out = c.inter}), c.act);
    return linear(vb.pp("c_proj"), h, {.in = c.inter, .out = c.hidden});
}

// GPTBigCodeBlock: x + attn(ln_1(x)), then + mlp(ln_2(.)).
Value block(const Weights& vb, const BigCodeConfig& c, Value x, Value visible, FusedKvDecoderOnnxConfig& oc,
            std::map<std::string, Value>& in, int64_t layer) {
    auto s = vb.scope();
    Value h = x + attention(vb.pp("attn"), c, layer_norm(vb.pp("ln_1"), x, {.dim = c.hidden, .eps = c.eps}), visible,
                            oc, in, layer);
    return h + mlp(vb.pp("mlp"), c, layer_norm(vb.pp("ln_2"), h, {.dim = c.hidden, .eps = c.eps}));
}

void build(Graph& g) {
    BigCodeConfig c(g.config());
    FusedKvDecoderOnnxConfig oc(g, g.feature(), {.vocab_size = c.vocab, .past = {c.layers, 1, c.head_dim}});
    auto in = oc.declare_inputs();
    Value ids = in["input_ids"], mask = in["attention_mask"];
    // Without position_ids GPTBigCodeModel derives them from the mask: cumsum - 1, 1 on padding,
    // the new tokens' columns.
    Value pos = oc.takes_position_ids()
                    ? in["position_ids"]
                    : last_columns(where(equal(mask, g.scalar_i64(0)), g.scalar_i64(1), mask_positions(mask)), ids);

    Weights tr = Weights::base(g, "transformer", "wte.weight");
    Value x = embedding(tr.pp("wte"), ids, c.vocab, c.hidden) + embedding(tr.pp("wpe"), pos, c.max_pos, c.hidden);
    Value visible = causal_visible(ids, mask);  // [b, 1, s, past + s]
    for (int64_t i = 0; i < c.layers; ++i) x = block(tr.pp("h", i), c, x, visible, oc, in, i);
    x = layer_norm(tr.pp("ln_f"), x, {.dim = c.hidden, .eps = c.eps});

    // lm_head tied to wte by default (PretrainedConfig: tie_word_embeddings true).
    decoder_task_outputs(oc, x, ids,
                         {.embedding = tr.pp("wte"),
                          .hidden = c.hidden,
                          .vocab = c.vocab,
                          .pad_token_id = pad_token_id(g.config()),
                          .tie_default = true});
}

}  // namespace

HFX_PLUGIN("gpt_bigcode", "0.1.0") {
    reg.add({.model_type = "gpt_bigcode",
             .features = {"default", "default-with-past", "causal-lm", "causal-lm-with-past", "sequence-classification",
                          "token-classification"},
             .reference = "transformers 4.40.2 models/gpt_bigcode/modeling_gpt_bigcode.py",
             .build = build,
             .tiny_config = R"({"model_type": "gpt_bigcode", "vocab_size": 99, "n_embd": 32, "n_layer": 2, "n_head": 4,
                 "n_inner": 37, "n_positions": 64, "activation_function": "gelu_pytorch_tanh", "layer_norm_epsilon": 1e-5,
                 "multi_query": true, "pad_token_id": 0, "bos_token_id": 1, "eos_token_id": 2})"});
}
