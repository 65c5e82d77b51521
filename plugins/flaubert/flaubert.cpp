// Flaubert, following transformers 4.40.2 src/transformers/models/flaubert/modeling_flaubert.py
// (FlaubertModel, XLM-style, and its task heads): post- or pre-norm layers,
// learned or sinusoidal position table, optional language embeddings,
// token types looked up in the word embedding table, padding zeroed after every layer.
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct FlaubertConfig {
    int64_t dim, heads, layers, vocab, max_pos, n_langs;
    double eps;
    bool pre_norm, gelu, use_lang_emb, asm_;
    explicit FlaubertConfig(const Config& c)
        : dim(c.i("emb_dim", 2048)), heads(c.i("n_heads", 16)), layers(c.i("n_layers", 12)),
          vocab(c.i("vocab_size", 30145)), max_pos(c.i("max_position_embeddings", 512)), n_langs(c.i("n_langs", 1)),
          eps(c.f("layer_norm_eps", 1e-12)), pre_norm(c.b("pre_norm", false)), gelu(c.b("gelu_activation", true)),
          use_lang_emb(c.b("use_lang_emb", true)), asm_(c.b("asm", false)) {
        if (c.b("causal", false)) throw Error("config key 'causal': only the encoder (causal = false) is supported");
        if (!c.b("is_encoder", true)) throw Error("config key 'is_encoder': Flaubert can only be used as an encoder");
        // Read, and used by no graph here: sinusoidal_embeddings (only _init_weights uses it: the
        // table is the checkpoint's position_embeddings.weight), lang_id (generation's langs),
        // start_n_top / end_n_top (FlaubertForQuestionAnswering's beam search; question-answering
        // exports FlaubertForQuestionAnsweringSimple).
        for (const char* key : {"sinusoidal_embeddings", "lang_id", "start_n_top", "end_n_top"}) (void)c.has(key);
        // The summary_* keys shape the classification heads (sequence_summary reads them there); read for every feature.
        for (const char* key : {"summary_type", "summary_use_proj", "summary_activation", "summary_proj_to_labels"})
            (void)c.has(key);
    }
    bool lang_embeddings() const { return n_langs > 1 && use_lang_emb; }
};

// BERT-like text inputs, plus `langs` (per-token language ids) when the model has language embeddings.
class FlaubertOnnxConfig : public TextEncoderOnnxConfig {
public:
    FlaubertOnnxConfig(Graph& g, std::string task, const FlaubertConfig& c)
        : TextEncoderOnnxConfig(g, std::move(task), {.type_vocab_size = 2, .vocab_size = c.vocab}), c_(c) {}
    std::vector<IO> inputs() const override {
        std::vector<IO> in = TextEncoderOnnxConfig::inputs();
        if (c_.lang_embeddings()) in.push_back(IO{"langs", DT::i64, in[0].axes, HFX_DUMMY_IDS, 0, c_.n_langs});
        return in;
    }

private:
    FlaubertConfig c_;
};

// MultiHeadAttention (XLM): q scaled before q k^T, masked keys filled with finfo.min.
Value attention(const Weights& vb, const FlaubertConfig& c, Value x, Value masked) {
    auto s = vb.scope();
    int64_t hd = c.dim / c.heads;
    auto proj = [&](const char* name) {
        return split_heads(linear(vb.pp(name), x, {.in = c.dim, .out = c.dim}), c.heads, hd);
    };
    Value q = proj("q_lin") / float(std::sqrt(double(hd))), k = proj("k_lin"), v = proj("v_lin");
    Value scores = where(masked, x.g->scalar(kMaskValue), matmul(q, transpose(k, {0, 1, 3, 2})));
    Value ctx = merge_heads(matmul(softmax(scores, -1), v));
    return linear(vb.pp("out_lin"), ctx, {.in = c.dim, .out = c.dim});
}

// TransformerFFN: lin1 (4*dim), gelu or relu, lin2.
Value ffn(const Weights& vb, const FlaubertConfig& c, Value x) {
    auto s = vb.scope();
    Value h = linear(vb.pp("lin1"), x, {.in = c.dim, .out = 4 * c.dim});
    return linear(vb.pp("lin2"), c.gelu ? activation(h, "gelu") : relu(h), {.in = 4 * c.dim, .out = c.dim});
}

void build(Graph& g) {
    FlaubertConfig c(g.config());
    std::string task = g.feature();
    FlaubertOnnxConfig oc(g, task, c);
    auto in = oc.declare_inputs();
    Value ids = in["input_ids"], mask = in["attention_mask"], types = in["token_type_ids"];
    std::optional<Value> langs;
    if (c.lang_embeddings()) langs = in["langs"];
    if (task == "multiple-choice") {
        ids = flatten_choices(ids), mask = flatten_choices(mask), types = flatten_choices(types);
        if (langs) langs = flatten_choices(*langs);
    }

    Weights tr = Weights::base(g, "transformer", "embeddings.weight");
    auto norm = [&](const Weights& vb, Value x) { return layer_norm(vb, x, {.dim = c.dim, .eps = c.eps}); };
    // get_masks with padding_mask = attention_mask (not causal): keys where the mask is 0 are hidden.
    Value keep = unsqueeze(cast(mask, DT::f32), {-1});               // [b, s, 1]
    Value masked = unsqueeze(equal(mask, g.scalar_i64(0)), {1, 2});  // [b, 1, 1, s]

    Value x = [&] {
        auto s = tr.scope();
        Value positions = unsqueeze(range(g.scalar_i64(0), squeeze(dim(ids, 1), {0}), g.scalar_i64(1)), {0});
        Value t = embedding(tr.pp("embeddings"), ids, c.vocab, c.dim) +
                  embedding(tr.pp("position_embeddings"), positions, c.max_pos, c.dim);
        if (langs) t = t + embedding(tr.pp("lang_embeddings"), *langs, c.n_langs, c.dim);
        t = t + embedding(tr.pp("embeddings"), types, c.vocab, c.dim);
        return norm(tr.pp("layer_norm_emb"), t) * keep;
    }();
    for (int64_t i = 0; i < c.layers; ++i) {
        auto s = tr.scope();
        Weights ln1 = tr.pp("layer_norm1", i), ln2 = tr.pp("layer_norm2", i);
        if (!c.pre_norm) {
            x = norm(ln1, x + attention(tr.pp("attentions", i), c, x, masked));
            x = norm(ln2, x + ffn(tr.pp("ffns", i), c, x));
        } else {
            x = x + attention(tr.pp("attentions", i), c, norm(ln1, x), masked);
            x = x + ffn(tr.pp("ffns", i), c, norm(ln2, x));
        }
        x = x * keep;
    }

    int64_t labels = g.config().num_labels();
    if (task == "default") {
        oc.output("last_hidden_state", x);
    } else if (task == "masked-lm") {
        // FlaubertPredLayer (asm = false): proj tied to the word embeddings.
        if (c.asm_) throw Error("config key 'asm': the adaptive softmax prediction layer is not supported");
        Weights proj(g, "pred_layer.proj");
        Value logits = tied_lm_projection(proj, tr.pp("embeddings"), x, c.dim, c.vocab);
        oc.output("logits", logits + proj.get("bias", {c.vocab}));
    } else if (task == "sequence-classification" || task == "multiple-choice") {
        SequenceSummaryOptions so = SequenceSummaryOptions::from(g.config(), c.dim);
        Value logits = sequence_summary(Weights(g, "sequence_summary"), x, so);
        if (task == "sequence-classification") {
            oc.output("logits", logits);
        } else {
            int64_t width = so.use_proj ? so.proj_out : c.dim;
            Value l = linear(Weights(g, "logits_proj"), logits, {.in = width, .out = 1});
            oc.output("logits", unflatten_choices(l, in["input_ids"]));
        }
    } else if (task == "token-classification") {
        oc.output("logits", linear(Weights(g, "classifier"), x, {.in = c.dim, .out = labels}));
    } else if (task == "question-answering") {
        // FlaubertForQuestionAnsweringSimple
        auto [start, end] = qa_head(Weights(g, "qa_outputs"), x, c.dim);
        oc.output("start_logits", start);
        oc.output("end_logits", end);
    }
}

}  // namespace

HFX_PLUGIN("flaubert", "0.1.0") {
    reg.add({.model_type = "flaubert",
             .features = kTextEncoderFeatures,
             .reference = "transformers 4.40.2 models/flaubert/modeling_flaubert.py",
             .build = build,
             .tiny_config = R"({"model_type": "flaubert", "vocab_size": 99, "emb_dim": 32, "n_layers": 2, "n_heads": 4,
                 "max_position_embeddings": 64, "n_langs": 1, "use_lang_emb": true, "gelu_activation": true,
                 "pre_norm": false, "layer_norm_eps": 1e-12, "causal": false, "is_encoder": true, "asm": false,
                 "summary_type": "first", "summary_use_proj": true, "summary_proj_to_labels": true,
                 "summary_activation": null, "num_labels": 2})"});
}
