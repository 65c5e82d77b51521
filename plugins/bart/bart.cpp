// BART and the encoder-decoder models built from its code, following
// transformers 4.40.2 models/{bart,mbart,plbart,marian,pegasus,blenderbot,
// blenderbot_small,m2m_100,bigbird_pegasus,whisper}/modeling_*.py: one builder,
// the differences as a Variant (where the LayerNorms sit, which positions, how
// inputs are shifted, Whisper's convolutional front end).
#include <hfx/blocks/decoder.h>
#include <hfx/hfx.h>

using namespace hfx;

namespace {

enum class Positions { learned, sinusoidal, fairseq };

struct Variant {
    bool pre_norm = false;               // LayerNorm before each block (mBART, Pegasus, Blenderbot, M2M100, ...)
    const char* final_norm = nullptr;    // the LayerNorm after the last layer of encoder and decoder
    bool layernorm_embedding = false;    // BART, mBART, PLBart, BlenderbotSmall
    bool norm_before_positions = false;  // BlenderbotSmall's decoder normalises the embeddings before adding positions
    Positions positions = Positions::learned;
    int64_t position_offset = 0;   // BartLearnedPositionalEmbedding's offset of 2
    bool wrap_shift = false;       // mBART's shift_tokens_right (last non-pad token first)
    bool scale_embedding = false;  // the config's default
    bool bigbird_encoder = false;  // BigBirdPegasus: encoder self_attn.self.{query,key,value} + self_attn.output
    bool speech = false;           // Whisper: input_features through two GELU convolutions, no encoder mask
    bool key_bias = true;          // Whisper's k_proj has no bias
    const char* lm_head = "lm_head";
};

struct Cfg {
    int64_t d, vocab, dec_vocab, enc_layers, dec_layers, enc_heads, dec_heads, enc_ffn, dec_ffn, max_pos, pad, eos,
        start;
    float embed_scale;
    std::string act;
    bool bias;  // attention projections (BigBirdPegasus: use_bias)
    Variant v;
    Cfg(const Config& c, Variant var)
        : d(c.i("d_model")), vocab(c.i("vocab_size")), dec_vocab(c.i("decoder_vocab_size", vocab)),
          enc_layers(c.i("encoder_layers")), dec_layers(c.i("decoder_layers")),
          enc_heads(c.i("encoder_attention_heads")), dec_heads(c.i("decoder_attention_heads")),
          enc_ffn(c.i("encoder_ffn_dim")), dec_ffn(c.i("decoder_ffn_dim")),
          max_pos(var.speech ? c.i("max_target_positions") : c.i("max_position_embeddings")),
          pad(c.i("pad_token_id", 1)), eos(c.i("eos_token_id", 2)), start(c.i("decoder_start_token_id", 2)),
          // Whisper computes embed_scale from scale_embedding and never applies it (4.40.2 and 4.44.0).
          embed_scale(c.b("scale_embedding", var.scale_embedding) && !var.speech ? float(std::sqrt(double(d))) : 1.f),
          act(c.s("activation_function", "gelu")), bias(c.b("use_bias", true)), v(var) {
        if (var.bigbird_encoder && c.s("attention_type", "block_sparse") != "original_full")
            throw Error("config key 'attention_type': only 'original_full' is supported (config.json)");
        // Read, and used by no graph here: num_hidden_layers (the configs' copy of encoder_layers);
        // block_size / num_random_blocks (BigBirdPegasus' block_sparse attention only, refused above);
        // share_encoder_decoder_embeddings (Marian: the checkpoint's decoder.embed_tokens says it);
        // Whisper's audio-classification head (use_weighted_layer_sum, classifier_proj_size).
        for (const char* key : {"num_hidden_layers", "block_size", "num_random_blocks",
                                "share_encoder_decoder_embeddings", "use_weighted_layer_sum", "classifier_proj_size"})
            (void)c.has(key);
        // transformers 3.x BartConfig keys, still in hub configs (facebook/bart-large, mbart-large-cc25):
        // 4.x modeling ignores them (the Variant fixes norms and positions per model type).
        for (const char* key :
             {"add_bias_logits", "add_final_layer_norm", "normalize_before", "normalize_embedding",
              "static_position_embeddings", "extra_pos_embeddings", "force_bos_token_to_be_generated"})
            (void)c.has(key);
    }
};

Value norm(const Weights& vb, Value x, const Cfg& c) { return layer_norm(vb, x, {.dim = c.d, .eps = 1e-5}); }

Value heads_of(const Weights& vb, Value x, const Cfg& c, int64_t heads, bool bias = true) {
    return split_heads(linear(vb, x, {.in = c.d, .out = c.d, .bias = bias && c.bias}), heads, c.d / heads);
}
std::pair<Value, Value> key_value(const Weights& k, const Weights& v, Value x, const Cfg& c, int64_t heads) {
    return {heads_of(k, x, c, heads, c.v.key_bias), heads_of(v, x, c, heads)};
}

// BartAttention: q_proj(x) * head_dim^-0.5 against the given keys/values, then out_proj.
Value attention(const Weights& vb, Value x, std::pair<Value, Value> kv, Value bias, const Cfg& c, int64_t heads) {
    auto s = vb.scope();
    Value q = heads_of(vb.pp("q_proj"), x, c, heads);
    std::optional<Value> b = bias.valid() ? std::optional<Value>(bias) : std::nullopt;
    Value ctx = scaled_dot_product(q, kv.first, kv.second, {.head_dim = c.d / heads, .bias = b, .scale_query = true});
    return linear(vb.pp("out_proj"), merge_heads(ctx), {.in = c.d, .out = c.d, .bias = c.bias});
}

// BigBirdPegasusSelfAttention (original_full): BigBird's names, scores divided by sqrt(head_dim).
Value bigbird_attention(const Weights& vb, Value x, Value bias, const Cfg& c) {
    auto s = vb.scope();
    Weights self = vb.pp("self");
    Value ctx = scaled_dot_product(
        heads_of(self.pp("query"), x, c, c.enc_heads), heads_of(self.pp("key"), x, c, c.enc_heads),
        heads_of(self.pp("value"), x, c, c.enc_heads), {.head_dim = c.d / c.enc_heads, .bias = bias});
    return linear(vb.pp("output"), merge_heads(ctx), {.in = c.d, .out = c.d, .bias = c.bias});
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

// WhisperEncoder's front end: [b, mel, frames] -> GELU(conv1) -> GELU(conv2, stride 2) -> [b, frames/2, d]
// plus the whole (fixed sinusoidal, stored) position table. The convolutions use
// nn.functional.gelu (exact) whatever activation_function says (that one is the layers').
Value speech_embeddings(const Weights& vb, Value features, const Cfg& c, int64_t mel, int64_t positions) {
    Graph& g = vb.graph();
    auto conv = [&](const char* name, Value x, int64_t in, int64_t stride) {
        Weights w = vb.pp(name);
        auto s = w.scope();
        return activation(g.node("Conv", {x, w.get("weight", {c.d, in, 3}), w.get("bias", {c.d})},
                                 {A::list("kernel_shape", {3}), A::list("pads", {1, 1}), A::list("strides", {stride})}),
                          "gelu");
    };
    Value x = transpose(conv("conv2", conv("conv1", features, mel, 1), c.d, 2), {0, 2, 1});
    return x + vb.get("embed_positions.weight", {positions, c.d});
}

Value encoder(const Weights& m, const Cfg& c, Value ids, Value mask, int64_t mel = 0, int64_t frames = 0) {
    Graph& g = m.graph();
    Weights vb = m.pp("encoder");
    Value x = c.v.speech ? speech_embeddings(vb, ids, c, mel, frames / 2)
                         : embed_tokens(m, "encoder", ids, c, c.vocab) +
                               embed_positions(vb.pp("embed_positions"), ids, g.scalar_i64(0), c);
    if (c.v.layernorm_embedding) x = norm(vb.pp("layernorm_embedding"), x, c);
    Value bias = mask.valid() ? padding_bias(mask) : Value{};
    for (int64_t i = 0; i < c.enc_layers; ++i) {
        Weights l = vb.pp("layers", i);
        auto s = l.scope();
        x = residual(l.pp("self_attn_layer_norm"), x, c, [&](Value h) {
            if (c.v.bigbird_encoder) return bigbird_attention(l.pp("self_attn"), h, bias, c);
            auto kv = key_value(l.pp("self_attn.k_proj"), l.pp("self_attn.v_proj"), h, c, c.enc_heads);
            return attention(l.pp("self_attn"), h, kv, bias, c, c.enc_heads);
        });
        x = residual(l.pp("final_layer_norm"), x, c, [&](Value h) { return feed_forward(l, h, c, c.enc_ffn); });
    }
    return c.v.final_norm ? norm(vb.pp(c.v.final_norm), x, c) : x;
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
            auto [k, v] = key_value(l.pp("self_attn.k_proj"), l.pp("self_attn.v_proj"), h, c, c.dec_heads);
            auto kv = cache.self_kv(i, k, v);
            return attention(l.pp("self_attn"), h, kv, causal, c, c.dec_heads);
        });
        x = residual(l.pp("encoder_attn_layer_norm"), x, c, [&](Value h) {
            auto kv = cache.cross_kv(i, [&] {
                return key_value(l.pp("encoder_attn.k_proj"), l.pp("encoder_attn.v_proj"), enc, c, c.dec_heads);
            });
            return attention(l.pp("encoder_attn"), h, kv, cross_bias, c, c.dec_heads);
        });
        x = residual(l.pp("final_layer_norm"), x, c, [&](Value h) { return feed_forward(l, h, c, c.dec_ffn); });
    }
    return c.v.final_norm ? norm(vb.pp(c.v.final_norm), x, c) : x;
}

void build(Graph& g, const Variant& v) {
    Cfg c(g.config(), v);
    std::string task = task_of(g.feature());
    int64_t mel = v.speech ? g.config().i("num_mel_bins") : 0,
            frames = v.speech ? 2 * g.config().i("max_source_positions") : 0;
    Seq2SeqOnnxConfig oc(g, g.feature(),
                         {.vocab_size = c.vocab,
                          .decoder_vocab_size = c.dec_vocab,
                          .hidden = c.d,
                          .past = {c.dec_layers, c.dec_heads, c.d / c.dec_heads},
                          .speech = v.speech,
                          .num_mel_bins = mel,
                          .frames = frames,
                          .encoder_length = v.speech ? frames / 2 : -1,
                          .ids_end = task == "sequence-classification" ? c.eos : -1});
    auto in = oc.declare_inputs();
    Weights m = Weights::base(g, "model", "decoder.layers.0.fc1.weight");

    Value enc, enc_mask;
    if (oc.runs_encoder()) {
        enc = v.speech ? encoder(m, c, in["input_features"], Value{}, mel, frames)
                       : encoder(m, c, in["input_ids"], enc_mask = in["attention_mask"]);
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
    } else if (task == "seq2seq-lm" || task == "speech2seq-lm") {
        Weights dec_table = m.pp("decoder").has("embed_tokens.weight") ? m.pp("decoder.embed_tokens") : m.pp("shared");
        // Every config class here ties the head by default; untied, transformers needs the head's own weight.
        Weights head(g, v.lm_head);
        if (!g.config().b("tie_word_embeddings", true) && !head.has("weight"))
            throw Error("tensor '" + head.path("weight") + "': not in the checkpoint and tie_word_embeddings is false");
        Value logits = tied_lm_projection(head, dec_table, h, c.d, c.dec_vocab);
        if (g.has_weight("final_logits_bias"))
            logits = logits + Weights(g, "").get("final_logits_bias", {1, c.dec_vocab});
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
}

template <const Variant& V>
void build_variant(Graph& g) {
    build(g, V);
}

constexpr Variant kBart{.layernorm_embedding = true, .position_offset = 2};
constexpr Variant kMbart{.pre_norm = true,
                         .final_norm = "layer_norm",
                         .layernorm_embedding = true,
                         .position_offset = 2,
                         .wrap_shift = true};
constexpr Variant kPlbart{
    .layernorm_embedding = true, .position_offset = 2, .wrap_shift = true, .scale_embedding = true};
constexpr Variant kMarian{.positions = Positions::sinusoidal, .scale_embedding = true};
constexpr Variant kPegasus{
    .pre_norm = true, .final_norm = "layer_norm", .positions = Positions::sinusoidal, .scale_embedding = true};
constexpr Variant kBlenderbot{.pre_norm = true, .final_norm = "layer_norm"};
constexpr Variant kBlenderbotSmall{.layernorm_embedding = true, .norm_before_positions = true};
constexpr Variant kM2m100{
    .pre_norm = true, .final_norm = "layer_norm", .positions = Positions::fairseq, .scale_embedding = true};

// BigBirdPegasus names its final LayerNorms layernorm_embedding (applied after the layers, not to the embeddings).
constexpr Variant kBigBirdPegasus{
    .pre_norm = true, .final_norm = "layernorm_embedding", .scale_embedding = true, .bigbird_encoder = true};
constexpr Variant kWhisper{
    .pre_norm = true, .final_norm = "layer_norm", .speech = true, .key_bias = false, .lm_head = "proj_out"};

std::string tiny(const std::string& type, const std::string& extra = "") {
    return R"({"model_type": ")" + type +
           R"(", "vocab_size": 99, "d_model": 32, "encoder_layers": 2, "decoder_layers": 2,
        "encoder_attention_heads": 4, "decoder_attention_heads": 4, "encoder_ffn_dim": 37, "decoder_ffn_dim": 37,
        "max_position_embeddings": 64, "activation_function": "gelu", "pad_token_id": 1, "eos_token_id": 2,
        "decoder_start_token_id": 2, "num_labels": 2)" +
           extra + "}";
}

}  // namespace

HFX_PLUGIN("bart", "0.1.0") {
    const std::vector<std::string> lm = {"default", "default-with-past", "seq2seq-lm", "seq2seq-lm-with-past"};
    auto with_heads = [&](std::vector<std::string> extra) {
        std::vector<std::string> f = lm;
        f.insert(f.end(), extra.begin(), extra.end());
        return f;
    };
    auto add = [&](const char* type, const char* file, BuildFn fn, std::vector<std::string> features,
                   std::string extra = "") {
        reg.add({.model_type = type,
                 .features = std::move(features),
                 .reference = std::string("transformers 4.40.2 models/") + file,
                 .build = fn,
                 .tiny_config = tiny(type, extra)});
    };
    add("bart", "bart/modeling_bart.py", build_variant<kBart>,
        with_heads({"sequence-classification", "question-answering"}));
    add("mbart", "mbart/modeling_mbart.py", build_variant<kMbart>,
        with_heads({"sequence-classification", "question-answering"}));
    add("plbart", "plbart/modeling_plbart.py", build_variant<kPlbart>, with_heads({"sequence-classification"}));
    add("marian", "marian/modeling_marian.py", build_variant<kMarian>, lm);
    add("pegasus", "pegasus/modeling_pegasus.py", build_variant<kPegasus>, lm);
    add("blenderbot", "blenderbot/modeling_blenderbot.py", build_variant<kBlenderbot>, lm);
    add("blenderbot-small", "blenderbot_small/modeling_blenderbot_small.py", build_variant<kBlenderbotSmall>, lm);
    add("m2m_100", "m2m_100/modeling_m2m_100.py", build_variant<kM2m100>, lm);
    add("bigbird_pegasus", "bigbird_pegasus/modeling_bigbird_pegasus.py", build_variant<kBigBirdPegasus>,
        with_heads({"sequence-classification", "question-answering"}),
        R"(, "attention_type": "original_full", "use_bias": false)");
    reg.add({.model_type = "whisper",
             .features = {"default", "default-with-past", "speech2seq-lm", "speech2seq-lm-with-past"},
             .reference = "transformers 4.40.2 models/whisper/modeling_whisper.py",
             .build = build_variant<kWhisper>,
             .tiny_config =
                 R"({"model_type": "whisper", "vocab_size": 99, "d_model": 32, "encoder_layers": 2, "decoder_layers": 2,
                 "encoder_attention_heads": 4, "decoder_attention_heads": 4, "encoder_ffn_dim": 37, "decoder_ffn_dim": 37,
                 "num_mel_bins": 80, "max_source_positions": 30, "max_target_positions": 64, "activation_function": "gelu",
                 "pad_token_id": 98, "eos_token_id": 98, "decoder_start_token_id": 97})"});
}
