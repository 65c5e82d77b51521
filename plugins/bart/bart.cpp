// BART and the encoder-decoder models built from its code, following
// transformers 4.40.2 models/{bart,mbart,plbart,marian,pegasus,blenderbot,
// blenderbot_small,m2m_100}/modeling_*.py: one builder, the differences as a
// Variant (where the LayerNorms sit, which positions, how inputs are shifted).
#include <hfx/blocks/decoder.h>
#include <hfx/hfx.h>

using namespace hfx;

namespace {

enum class Positions { learned, sinusoidal, fairseq };

struct Variant {
    bool pre_norm = false;             // LayerNorm before each block (mBART, Pegasus, Blenderbot, M2M100)
    bool final_norm = false;           // encoder.layer_norm / decoder.layer_norm after the last layer
    bool layernorm_embedding = false;  // BART, mBART, PLBart, BlenderbotSmall
    bool norm_before_positions = false;  // BlenderbotSmall's decoder normalises the embeddings before adding positions
    Positions positions = Positions::learned;
    int64_t position_offset = 0;  // BartLearnedPositionalEmbedding's offset of 2
    bool wrap_shift = false;      // mBART's shift_tokens_right (last non-pad token first)
    bool scale_embedding = false;  // the config's default
};

struct Cfg {
    int64_t d, vocab, dec_vocab, enc_layers, dec_layers, enc_heads, dec_heads, enc_ffn, dec_ffn, max_pos, pad, eos, start;
    float embed_scale;
    std::string act;
    Variant v;
    Cfg(const Config& c, Variant var)
        : d(c.i("d_model")), vocab(c.i("vocab_size")), dec_vocab(c.i("decoder_vocab_size", vocab)),
          enc_layers(c.i("encoder_layers")), dec_layers(c.i("decoder_layers")), enc_heads(c.i("encoder_attention_heads")),
          dec_heads(c.i("decoder_attention_heads")), enc_ffn(c.i("encoder_ffn_dim")), dec_ffn(c.i("decoder_ffn_dim")),
          max_pos(c.i("max_position_embeddings")), pad(c.i("pad_token_id", 1)), eos(c.i("eos_token_id", 2)),
          start(c.i("decoder_start_token_id", 2)),
          embed_scale(c.b("scale_embedding", var.scale_embedding) ? float(std::sqrt(double(d))) : 1.f),
          act(c.s("activation_function", "gelu")), v(var) {}
};

Value norm(const Weights& vb, Value x, const Cfg& c) { return layer_norm(vb, x, {.dim = c.d, .eps = 1e-5}); }

Value heads_of(const Weights& vb, Value x, const Cfg& c, int64_t heads) {
    return split_heads(linear(vb, x, {.in = c.d, .out = c.d}), heads, c.d / heads);
}

// BartAttention: q_proj(x) * head_dim^-0.5 against the given keys/values, then out_proj.
Value attention(const Weights& vb, Value x, std::pair<Value, Value> kv, Value bias, const Cfg& c, int64_t heads) {
    auto s = vb.scope();
    Value q = heads_of(vb.pp("q_proj"), x, c, heads);
    Value ctx = scaled_dot_product(q, kv.first, kv.second, {.head_dim = c.d / heads, .bias = bias, .scale_query = true});
    return linear(vb.pp("out_proj"), merge_heads(ctx), {.in = c.d, .out = c.d});
}

// A residual block: pre-norm x + f(norm(x)), or post-norm norm(x + f(x)).
template <class F>
Value residual(const Weights& ln, Value x, const Cfg& c, F f) {
    if (c.v.pre_norm) return x + f(norm(ln, x, c));
    return norm(ln, x + f(x), c);
}

Value feed_forward(const Weights& vb, Value x, const Cfg& c, int64_t ffn) {
    Value h = activation(linear(vb.pp("fc1"), x, {.in = c.d, .out = ffn}), c.act);
    return linear(vb.pp("fc2"), h, {.in = ffn, .out = c.d});
}

// Token embeddings (scaled) of encoder or decoder: their own table when the
// checkpoint has one (Marian without shared embeddings), else model.shared.
Value embed_tokens(const Weights& m, const std::string& part, Value ids, const Cfg& c, int64_t vocab) {
    Weights table = m.pp(part).has("embed_tokens.weight") ? m.pp(part + ".embed_tokens") : m.pp("shared");
    Value x = embedding(table, ids, vocab, c.d);
    return c.embed_scale == 1.f ? x : x * c.embed_scale;
}

// Positions of `ids` after `past` tokens: [seq, d] (or [b, seq, d] for M2M100's from-padding positions).
Value embed_positions(const Weights& vb, Value ids, Value past, const Cfg& c) {
    Graph& g = vb.graph();
    auto s = vb.scope();
    if (c.v.positions == Positions::fairseq) {  // M2M100: (cumsum(not pad) + past) * not pad + pad
        Value real = cast(logical_not(equal(ids, g.scalar_i64(c.pad))), DT::i64);
        Value pos = (cumsum(real, 1) + past) * real + g.scalar_i64(c.pad);
        return fairseq_sinusoidal(pos, c.d, c.pad);
    }
    Value table = c.v.positions == Positions::sinusoidal && !vb.has("weight")
                      ? g.constant_f32(sinusoidal_table(c.max_pos, c.d), {c.max_pos, c.d})  // not saved by Marian
                      : vb.get("weight", {c.max_pos + c.v.position_offset, c.d});
    return gather(table, step_positions(ids, past, c.v.position_offset), 0);
}

Value encoder(const Weights& m, const Cfg& c, Value ids, Value mask) {
    Graph& g = m.graph();
    Weights vb = m.pp("encoder");
    Value x = embed_tokens(m, "encoder", ids, c, c.vocab) + embed_positions(vb.pp("embed_positions"), ids, g.scalar_i64(0), c);
    if (c.v.layernorm_embedding) x = norm(vb.pp("layernorm_embedding"), x, c);
    Value bias = padding_bias(mask);
    for (int64_t i = 0; i < c.enc_layers; ++i) {
        Weights l = vb.pp("layers", i);
        auto s = l.scope();
        x = residual(l.pp("self_attn_layer_norm"), x, c, [&](Value h) {
            auto kv = std::pair{heads_of(l.pp("self_attn.k_proj"), h, c, c.enc_heads), heads_of(l.pp("self_attn.v_proj"), h, c, c.enc_heads)};
            return attention(l.pp("self_attn"), h, kv, bias, c, c.enc_heads);
        });
        x = residual(l.pp("final_layer_norm"), x, c, [&](Value h) { return feed_forward(l, h, c, c.enc_ffn); });
    }
    return c.v.final_norm ? norm(vb.pp("layer_norm"), x, c) : x;
}

Value decoder(const Weights& m, const Cfg& c, Value ids, Value enc, Value enc_mask, Seq2SeqCache& cache) {
    Weights vb = m.pp("decoder");
    Value past = cache.past_length(m.graph());
    Value x = embed_tokens(m, "decoder", ids, c, c.dec_vocab);
    Value pos = embed_positions(vb.pp("embed_positions"), ids, past, c);
    if (c.v.norm_before_positions) x = norm(vb.pp("layernorm_embedding"), x, c) + pos;
    else if (c.v.layernorm_embedding) x = norm(vb.pp("layernorm_embedding"), x + pos, c);
    else x = x + pos;
    Value causal = decoder_causal_bias(ids, past);
    Value cross_bias = enc_mask.valid() ? padding_bias(enc_mask) : Value{};
    for (int64_t i = 0; i < c.dec_layers; ++i) {
        Weights l = vb.pp("layers", i);
        auto s = l.scope();
        x = residual(l.pp("self_attn_layer_norm"), x, c, [&](Value h) {
            auto kv = cache.self_kv(i, heads_of(l.pp("self_attn.k_proj"), h, c, c.dec_heads), heads_of(l.pp("self_attn.v_proj"), h, c, c.dec_heads));
            return attention(l.pp("self_attn"), h, kv, causal, c, c.dec_heads);
        });
        x = residual(l.pp("encoder_attn_layer_norm"), x, c, [&](Value h) {
            auto kv = cache.cross_kv(i, [&] {
                return std::pair{heads_of(l.pp("encoder_attn.k_proj"), enc, c, c.dec_heads), heads_of(l.pp("encoder_attn.v_proj"), enc, c, c.dec_heads)};
            });
            return attention(l.pp("encoder_attn"), h, kv, cross_bias, c, c.dec_heads);
        });
        x = residual(l.pp("final_layer_norm"), x, c, [&](Value h) { return feed_forward(l, h, c, c.dec_ffn); });
    }
    return c.v.final_norm ? norm(vb.pp("layer_norm"), x, c) : x;
}

void build(Graph& g, const Variant& v) {
    Cfg c(g.config(), v);
    std::string task = task_of(g.feature());
    Seq2SeqOnnxConfig oc(g, g.feature(), {.vocab_size = c.vocab, .hidden = c.d, .past = {c.dec_layers, c.dec_heads, c.d / c.dec_heads}});
    auto in = oc.declare_inputs();
    Weights m = Weights::base(g, "model", "shared.weight");

    Value enc, enc_mask;
    if (oc.runs_encoder()) {
        enc = encoder(m, c, in["input_ids"], enc_mask = in["attention_mask"]);
        if (oc.component() == "encoder") return oc.output("last_hidden_state", enc);
    } else {
        enc = in["encoder_hidden_states"], enc_mask = in["encoder_attention_mask"];
    }
    Value ids = oc.shifts_inputs() ? (v.wrap_shift ? shift_tokens_right_wrap(in["input_ids"], c.pad)
                                                   : shift_tokens_right(in["input_ids"], c.pad, c.start))
                                   : in[oc.component().empty() ? "decoder_input_ids" : "input_ids"];
    Seq2SeqCache cache(oc, in);
    Value h = decoder(m, c, ids, enc, enc_mask, cache);

    if (task == "default") {
        oc.output("last_hidden_state", h);
    } else if (task == "seq2seq-lm") {
        Weights dec_table = m.pp("decoder").has("embed_tokens.weight") ? m.pp("decoder.embed_tokens") : m.pp("shared");
        Value logits = tied_lm_projection(Weights(g, "lm_head"), dec_table, h, c.d, c.dec_vocab);
        if (g.has_weight("final_logits_bias")) logits = logits + Weights(g, "").get("final_logits_bias", {1, c.dec_vocab});
        oc.output("logits", logits);
    } else if (task == "sequence-classification") {
        // BartClassificationHead on the decoder state at each row's last eos.
        Weights head(g, "classification_head");
        auto s = head.scope();
        Value pooled = gather_rows(h, last_index_of(in["input_ids"], c.eos));
        Value d = tanh(linear(head.pp("dense"), pooled, {.in = c.d, .out = c.d}));
        oc.output("logits", linear(head.pp("out_proj"), d, {.in = c.d, .out = g.config().num_labels()}));
    } else if (task == "question-answering") {
        auto [start, end] = qa_head(Weights(g, "qa_outputs"), h, c.d);
        oc.output("start_logits", start);
        oc.output("end_logits", end);
    }
    if (oc.component().empty() && !oc.shifts_inputs()) oc.output("encoder_last_hidden_state", enc);
    cache.declare_outputs();
}

template <const Variant& V>
void build_variant(Graph& g) { build(g, V); }

constexpr Variant kBart{.layernorm_embedding = true, .position_offset = 2};
constexpr Variant kMbart{.pre_norm = true, .final_norm = true, .layernorm_embedding = true, .position_offset = 2, .wrap_shift = true};
constexpr Variant kPlbart{.layernorm_embedding = true, .position_offset = 2, .wrap_shift = true, .scale_embedding = true};
constexpr Variant kMarian{.positions = Positions::sinusoidal, .scale_embedding = true};
constexpr Variant kPegasus{.pre_norm = true, .final_norm = true, .positions = Positions::sinusoidal, .scale_embedding = true};
constexpr Variant kBlenderbot{.pre_norm = true, .final_norm = true};
constexpr Variant kBlenderbotSmall{.layernorm_embedding = true, .norm_before_positions = true};
constexpr Variant kM2m100{.pre_norm = true, .final_norm = true, .positions = Positions::fairseq, .scale_embedding = true};

std::string tiny(const std::string& type, const std::string& extra = "") {
    return R"({"model_type": ")" + type + R"(", "vocab_size": 99, "d_model": 32, "encoder_layers": 2, "decoder_layers": 2,
        "encoder_attention_heads": 4, "decoder_attention_heads": 4, "encoder_ffn_dim": 37, "decoder_ffn_dim": 37,
        "max_position_embeddings": 64, "activation_function": "gelu", "pad_token_id": 1, "eos_token_id": 2,
        "decoder_start_token_id": 2, "num_labels": 2)" + extra + "}";
}

}  // namespace

HFX_PLUGIN("bart", "0.1.0") {
    const std::vector<std::string> lm = {"default", "default-with-past", "seq2seq-lm", "seq2seq-lm-with-past"};
    auto with_heads = [&](std::vector<std::string> extra) {
        std::vector<std::string> f = lm;
        f.insert(f.end(), extra.begin(), extra.end());
        return f;
    };
    auto add = [&](const char* type, const char* file, BuildFn fn, std::vector<std::string> features) {
        reg.add({.model_type = type, .features = std::move(features),
                 .reference = std::string("transformers 4.40.2 models/") + file,
                 .build = fn, .tiny_config = tiny(type)});
    };
    add("bart", "bart/modeling_bart.py", build_variant<kBart>, with_heads({"sequence-classification", "question-answering"}));
    add("mbart", "mbart/modeling_mbart.py", build_variant<kMbart>, with_heads({"sequence-classification", "question-answering"}));
    add("plbart", "plbart/modeling_plbart.py", build_variant<kPlbart>, with_heads({"sequence-classification"}));
    add("marian", "marian/modeling_marian.py", build_variant<kMarian>, lm);
    add("pegasus", "pegasus/modeling_pegasus.py", build_variant<kPegasus>, lm);
    add("blenderbot", "blenderbot/modeling_blenderbot.py", build_variant<kBlenderbot>, lm);
    add("blenderbot-small", "blenderbot_small/modeling_blenderbot_small.py", build_variant<kBlenderbotSmall>, lm);
    add("m2m_100", "m2m_100/modeling_m2m_100.py", build_variant<kM2m100>, lm);
}
