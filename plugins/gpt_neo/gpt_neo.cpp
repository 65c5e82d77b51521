// GPT-Neo, following transformers 4.40.2 src/transformers/models/gpt_neo/modeling_gpt_neo.py
// (GPTNeoModel, GPTNeoForCausalLM, GPTNeoForSequenceClassification, GPTNeoForTokenClassification),
// eager attention: layers alternate global and local (sliding window) attention, scores are not scaled.
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct GptNeoConfig {
    int64_t hidden, heads, layers, inner, vocab, max_pos, window;
    double eps;
    std::string act;
    std::vector<std::string> attention_layers;  // "global" | "local" per layer
    explicit GptNeoConfig(const Config& c)
        : hidden(c.i("hidden_size")), heads(c.i("num_heads")), layers(c.i("num_layers")),
          inner(c.i("intermediate_size", 4 * hidden)), vocab(c.i("vocab_size")),
          max_pos(c.i("max_position_embeddings")), window(c.i("window_size", 256)),
          eps(c.f("layer_norm_epsilon", 1e-5)), act(c.s("activation_function", "gelu_new")) {
        // GPTNeoConfig.expand_attention_types_params: [[["global", "local"], n], ...]
        for (size_t k = 0, n = c.size("attention_types"); k < n; ++k) {
            Config item = c.sub("attention_types/" + std::to_string(k));
            for (int64_t r = 0; r < item.i("1"); ++r)
                for (size_t t = 0, m = item.size("0"); t < m; ++t)
                    attention_layers.push_back(item.s("0/" + std::to_string(t)));
        }
        // save_pretrained stores the expansion too; a stored attention_layers is what GPTNeoModel uses.
        if (c.size("attention_layers")) {
            attention_layers.clear();
            for (size_t k = 0, n = c.size("attention_layers"); k < n; ++k)
                attention_layers.push_back(c.s("attention_layers/" + std::to_string(k)));
        }
        if (int64_t(attention_layers.size()) != layers)
            throw Error("config key 'attention_types': describes " + std::to_string(attention_layers.size()) +
                        " layers, num_layers is " + std::to_string(layers) + " (config.json)");
        for (const std::string& t : attention_layers)
            if (t != "global" && t != "local")
                throw Error("config key 'attention_layers': '" + t +
                            "' is not supported for model type 'gpt_neo' (only global and local) (config.json)");
    }
    int64_t head_dim() const { return hidden / heads; }
};

// GPTNeoSelfAttention: q/k/v without bias, no 1/sqrt(d) scaling; where(causal or
// local window, w, finfo.min) then + the combined causal/padding mask.
Value attention(const Weights& vb, const GptNeoConfig& c, int64_t layer, Value x, Value causal, Value bias,
                KvCache& cache) {
    auto s = vb.scope();
    int64_t d = c.head_dim();
    auto proj = [&](const char* name) {
        return split_heads(linear(vb.pp(name), x, {.in = c.hidden, .out = c.hidden, .bias = false}), c.heads, d);
    };
    Value q = proj("q_proj");
    auto [k, v] = cache.append(layer, proj("k_proj"), proj("v_proj"));
    Value w = mask_scores_causal_then_bias(matmul(q, transpose(k, {0, 1, 3, 2})), causal, bias);
    Value ctx = merge_heads(matmul(softmax(w, -1), v));
    return linear(vb.pp("out_proj"), ctx, {.in = c.hidden, .out = c.hidden});
}

Value block(const Weights& vb, const GptNeoConfig& c, int64_t layer, Value x, Value causal, Value bias,
            KvCache& cache) {
    auto s = vb.scope();
    Value h = layer_norm(vb.pp("ln_1"), x, {.dim = c.hidden, .eps = c.eps});
    x = x + attention(vb.pp("attn.attention"), c, layer, h, causal, bias, cache);
    h = layer_norm(vb.pp("ln_2"), x, {.dim = c.hidden, .eps = c.eps});
    Weights mlp = vb.pp("mlp");
    Value up = activation(linear(mlp.pp("c_fc"), h, {.in = c.hidden, .out = c.inner}), c.act);
    return x + linear(mlp.pp("c_proj"), up, {.in = c.inner, .out = c.hidden});
}

void build(Graph& g) {
    GptNeoConfig c(g.config());
    DecoderInputs d(g, {.vocab_size = c.vocab, .past = {c.layers, c.heads, c.head_dim()}});

    Weights tr = Weights::base(g, "transformer", "wte.weight");
    Value x = [&] {
        auto s = tr.scope();
        return embedding(tr.pp("wte"), d.ids, c.vocab, c.hidden) +
               embedding(tr.pp("wpe"), d.positions, c.max_pos, c.hidden);
    }();
    // _prepare_4d_causal_attention_mask: min where causal-hidden or padded.
    Value bias = causal_bias(d.ids, d.mask);
    Value global = causal_allowed(d.ids, d.mask), local = causal_allowed(d.ids, d.mask, c.window);
    for (int64_t i = 0; i < c.layers; ++i)
        x = block(tr.pp("h", i), c, i, x, c.attention_layers[size_t(i)] == "local" ? local : global, bias, d.cache);
    x = layer_norm(tr.pp("ln_f"), x, {.dim = c.hidden, .eps = c.eps});

    decoder_task_outputs(
        d.oc, x, d.ids,
        {.embedding = tr.pp("wte"), .hidden = c.hidden, .vocab = c.vocab, .pad_token_id = pad_token_id(g.config())});
}

}  // namespace

HFX_PLUGIN("gpt_neo", "0.1.0") {
    reg.add({.model_type = "gpt_neo",
             .features = {"default", "default-with-past", "causal-lm", "causal-lm-with-past", "sequence-classification",
                          "token-classification"},
             .reference = "transformers 4.40.2 models/gpt_neo/modeling_gpt_neo.py",
             .build = build,
             .tiny_config = R"({"model_type": "gpt_neo", "vocab_size": 99, "hidden_size": 32, "num_layers": 2,
                 "num_heads": 4, "intermediate_size": 37, "max_position_embeddings": 64, "window_size": 3,
                 "attention_types": [[["global", "local"], 1]], "activation_function": "gelu_new",
                 "pad_token_id": 98, "bos_token_id": 98, "eos_token_id": 98, "num_labels": 2})"});
}
