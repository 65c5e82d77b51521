// GPT-J, following transformers 4.40.2 src/transformers/models/gptj/modeling_gptj.py
// (GPTJModel, GPTJForCausalLM, GPTJForSequenceClassification), eager attention:
// partial rotary (rotary_dim, rotate_every_two), attention and MLP in parallel
// from one LayerNorm, q/k/v/out without bias, lm_head with bias.
#include <hfx/blocks/rotary.h>
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct GptjConfig {
    int64_t hidden, heads, layers, inner, vocab, rotary_dim;
    double eps;
    std::string act;
    explicit GptjConfig(const Config& c)
        : hidden(c.i("n_embd")), heads(c.i("n_head")), layers(c.i("n_layer")), inner(c.i("n_inner", 4 * hidden)),
          vocab(c.i("vocab_size")), rotary_dim(c.i("rotary_dim", -1)), eps(c.f("layer_norm_epsilon", 1e-5)),
          act(c.s("activation_function", "gelu_new")) {
        (void)c.has("n_positions");  // sizes the rotary cache only; positions are computed for any length
    }
    int64_t head_dim() const { return hidden / heads; }
    RotaryOptions rotary() const {
        return {.head_dim = head_dim(), .rotary_dim = rotary_dim, .style = RotaryStyle::interleaved};
    }
};

// GPTJAttention: rotary on q and k, where(causal, w, finfo.min) / sqrt(d), + padding bias.
Value attention(const Weights& vb, const GptjConfig& c, int64_t layer, Value x, const RotaryTables& rope, Value causal,
                Value pad_bias, KvCache& cache) {
    auto s = vb.scope();
    int64_t d = c.head_dim();
    auto proj = [&](const char* name) {
        return split_heads(linear(vb.pp(name), x, {.in = c.hidden, .out = c.hidden, .bias = false}), c.heads, d);
    };
    Value q = apply_rotary(proj("q_proj"), rope, c.rotary());
    auto [k, v] = cache.append(layer, apply_rotary(proj("k_proj"), rope, c.rotary()), proj("v_proj"));
    Value w = where(causal, matmul(q, transpose(k, {0, 1, 3, 2})), x.g->scalar(kMaskValue));
    w = w / std::sqrt(float(d)) + pad_bias;  // scale_attn = sqrt(head_dim), applied after the causal where
    Value ctx = merge_heads(matmul(softmax(w, -1), v));
    return linear(vb.pp("out_proj"), ctx, {.in = c.hidden, .out = c.hidden, .bias = false});
}

// GPTJBlock: h = ln_1(x); x + attn(h) + mlp(h).
Value block(const Weights& vb, const GptjConfig& c, int64_t layer, Value x, const RotaryTables& rope, Value causal,
            Value pad_bias, KvCache& cache) {
    auto s = vb.scope();
    Value h = layer_norm(vb.pp("ln_1"), x, {.dim = c.hidden, .eps = c.eps});
    Value attn = attention(vb.pp("attn"), c, layer, h, rope, causal, pad_bias, cache);
    Weights mlp = vb.pp("mlp");
    Value up = activation(linear(mlp.pp("fc_in"), h, {.in = c.hidden, .out = c.inner}), c.act);
    return attn + linear(mlp.pp("fc_out"), up, {.in = c.inner, .out = c.hidden}) + x;
}

void build(Graph& g) {
    GptjConfig c(g.config());
    DecoderInputs d(g, {.vocab_size = c.vocab, .past = {c.layers, c.heads, c.head_dim()}});

    Weights tr = Weights::base(g, "transformer", "wte.weight");
    Value x = [&] {
        auto s = tr.scope();
        return embedding(tr.pp("wte"), d.ids, c.vocab, c.hidden);
    }();
    RotaryTables rope = rotary_tables(d.positions, c.rotary());
    Value causal = causal_allowed(d.ids, d.mask);
    Value pad_bias = padding_bias(d.mask);
    for (int64_t i = 0; i < c.layers; ++i) x = block(tr.pp("h", i), c, i, x, rope, causal, pad_bias, d.cache);
    x = layer_norm(tr.pp("ln_f"), x, {.dim = c.hidden, .eps = c.eps});

    decoder_task_outputs(d.oc, x, d.ids,
                         {.embedding = tr.pp("wte"),
                          .hidden = c.hidden,
                          .vocab = c.vocab,
                          .pad_token_id = pad_token_id(g.config()),
                          .lm_head_bias = true,
                          .tie_default = false});  // GPTJConfig unties lm_head by default
}

}  // namespace

HFX_PLUGIN("gptj", "0.1.0") {
    reg.add(
        {.model_type = "gptj",
         .features = {"default", "default-with-past", "causal-lm", "causal-lm-with-past", "sequence-classification"},
         .reference = "transformers 4.40.2 models/gptj/modeling_gptj.py",
         .build = build,
         .tiny_config = R"({"model_type": "gptj", "vocab_size": 99, "n_embd": 32, "n_layer": 2, "n_head": 4,
                 "n_inner": 37, "n_positions": 64, "rotary_dim": 4, "activation_function": "gelu_new",
                 "tie_word_embeddings": false, "pad_token_id": 98, "bos_token_id": 98, "eos_token_id": 98,
                 "num_labels": 2})"});
}
