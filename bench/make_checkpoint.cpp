// hfx_make_checkpoint: writes a random Hugging Face checkpoint folder of a given size, for the
// export and runtime benchmarks (bert-base, gpt2, ... without downloading anything).
//
//   hfx_make_checkpoint --arch bert|gpt2|llama --out DIR [--layers 12] [--hidden 768] [--heads 12]
//                       [--kv-heads K] [--intermediate 3072] [--vocab V] [--dtype f32|f16|bf16]
//                       [--shards N] [--seed S]
//
// Tensor names and shapes are the state_dict() keys of BertForSequenceClassification,
// GPT2LMHeadModel and LlamaForCausalLM (transformers 4.40.2, modeling_bert.py / modeling_gpt2.py /
// modeling_llama.py; GPT-2's lm_head is tied so absent, Llama's is untied as in TinyLlama and
// Llama-2; non-persistent buffers such as position_ids are not written). Values are N(0, 0.02),
// LayerNorm weights 1 + N(0, 0.02). Tensors are generated and written in chunks, so memory stays
// small whatever the model size.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

enum class Init { normal, ones_ish };

struct TensorSpec {
    std::string name;
    std::vector<int64_t> shape;
    Init init = Init::normal;
    int64_t numel() const {
        int64_t n = 1;
        for (auto d : shape) n *= d;
        return n;
    }
};

struct Options {
    std::string arch;
    fs::path out;
    int64_t layers = 12, hidden = 768, heads = 12, kv_heads = -1, intermediate = -1, vocab = -1;
    std::string dtype = "f32";
    int shards = 1;
    uint64_t seed = 42;
};

// splitmix64 + Box-Muller: fast and deterministic across platforms, unlike std::normal_distribution.
class Normal {
public:
    explicit Normal(uint64_t seed) : state_(seed) {}
    float next() {
        if (have_spare_) {
            have_spare_ = false;
            return spare_;
        }
        double u1 = (static_cast<double>(bits() >> 11) + 1.0) * 0x1.0p-53;  // (0, 1]
        double u2 = static_cast<double>(bits() >> 11) * 0x1.0p-53;
        double r = std::sqrt(-2.0 * std::log(u1));
        spare_ = static_cast<float>(r * std::sin(2.0 * std::numbers::pi * u2));
        have_spare_ = true;
        return static_cast<float>(r * std::cos(2.0 * std::numbers::pi * u2));
    }

private:
    uint64_t bits() {
        uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    uint64_t state_;
    float spare_ = 0;
    bool have_spare_ = false;
};

uint16_t to_bf16(float f) {
    uint32_t x = std::bit_cast<uint32_t>(f);
    return static_cast<uint16_t>((x + 0x7fff + ((x >> 16) & 1)) >> 16);  // round to nearest even
}

uint16_t to_f16(float f) {
    uint32_t x = std::bit_cast<uint32_t>(f);
    uint32_t sign = (x >> 16) & 0x8000;
    int32_t exp = static_cast<int32_t>((x >> 23) & 0xff) - 127 + 15;
    uint32_t mant = x & 0x7fffff;
    if (exp >= 31) return static_cast<uint16_t>(sign | 0x7c00);  // overflow -> inf (no NaNs here)
    if (exp <= 0) {                                              // subnormal or zero
        if (exp < -10) return static_cast<uint16_t>(sign);
        mant |= 0x800000;
        uint32_t shift = static_cast<uint32_t>(14 - exp);
        uint32_t half = mant >> shift, rest = mant & ((1u << shift) - 1), mid = 1u << (shift - 1);
        if (rest > mid || (rest == mid && (half & 1))) ++half;
        return static_cast<uint16_t>(sign | half);
    }
    uint32_t half = (static_cast<uint32_t>(exp) << 10) | (mant >> 13);
    uint32_t rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1))) ++half;  // may carry into the exponent: fine
    return static_cast<uint16_t>(sign | half);
}

size_t dtype_size(const std::string& d) { return d == "f32" ? 4 : 2; }
const char* safetensors_dtype(const std::string& d) { return d == "f32" ? "F32" : d == "f16" ? "F16" : "BF16"; }
const char* torch_dtype(const std::string& d) { return d == "f32" ? "float32" : d == "f16" ? "float16" : "bfloat16"; }

// BertForSequenceClassification, in state_dict() order.
std::vector<TensorSpec> bert_tensors(const Options& o) {
    const int64_t h = o.hidden, i = o.intermediate;
    std::vector<TensorSpec> t;
    auto linear = [&](const std::string& p, int64_t out, int64_t in) {
        t.push_back({p + ".weight", {out, in}});
        t.push_back({p + ".bias", {out}});
    };
    auto layer_norm = [&](const std::string& p) {
        t.push_back({p + ".weight", {h}, Init::ones_ish});
        t.push_back({p + ".bias", {h}});
    };
    t.push_back({"bert.embeddings.word_embeddings.weight", {o.vocab, h}});
    t.push_back({"bert.embeddings.position_embeddings.weight", {512, h}});
    t.push_back({"bert.embeddings.token_type_embeddings.weight", {2, h}});
    layer_norm("bert.embeddings.LayerNorm");
    for (int64_t l = 0; l < o.layers; ++l) {
        const std::string p = "bert.encoder.layer." + std::to_string(l);
        linear(p + ".attention.self.query", h, h);
        linear(p + ".attention.self.key", h, h);
        linear(p + ".attention.self.value", h, h);
        linear(p + ".attention.output.dense", h, h);
        layer_norm(p + ".attention.output.LayerNorm");
        linear(p + ".intermediate.dense", i, h);
        linear(p + ".output.dense", h, i);
        layer_norm(p + ".output.LayerNorm");
    }
    linear("bert.pooler.dense", h, h);
    linear("classifier", 2, h);
    return t;
}

// GPT2LMHeadModel; Conv1D weights are [in, out]; lm_head.weight is tied to wte, so not stored.
std::vector<TensorSpec> gpt2_tensors(const Options& o) {
    const int64_t h = o.hidden, i = o.intermediate;
    std::vector<TensorSpec> t;
    auto conv1d = [&](const std::string& p, int64_t in, int64_t out) {
        t.push_back({p + ".weight", {in, out}});
        t.push_back({p + ".bias", {out}});
    };
    auto layer_norm = [&](const std::string& p) {
        t.push_back({p + ".weight", {h}, Init::ones_ish});
        t.push_back({p + ".bias", {h}});
    };
    t.push_back({"transformer.wte.weight", {o.vocab, h}});
    t.push_back({"transformer.wpe.weight", {1024, h}});
    for (int64_t l = 0; l < o.layers; ++l) {
        const std::string p = "transformer.h." + std::to_string(l);
        layer_norm(p + ".ln_1");
        conv1d(p + ".attn.c_attn", h, 3 * h);
        conv1d(p + ".attn.c_proj", h, h);
        layer_norm(p + ".ln_2");
        conv1d(p + ".mlp.c_fc", h, i);
        conv1d(p + ".mlp.c_proj", i, h);
    }
    layer_norm("transformer.ln_f");
    return t;
}

// LlamaForCausalLM: no biases, RMSNorm weights only, grouped k/v projections.
std::vector<TensorSpec> llama_tensors(const Options& o) {
    const int64_t h = o.hidden, i = o.intermediate, kv = o.kv_heads * (o.hidden / o.heads);
    std::vector<TensorSpec> t;
    t.push_back({"model.embed_tokens.weight", {o.vocab, h}});
    for (int64_t l = 0; l < o.layers; ++l) {
        const std::string p = "model.layers." + std::to_string(l);
        t.push_back({p + ".self_attn.q_proj.weight", {h, h}});
        t.push_back({p + ".self_attn.k_proj.weight", {kv, h}});
        t.push_back({p + ".self_attn.v_proj.weight", {kv, h}});
        t.push_back({p + ".self_attn.o_proj.weight", {h, h}});
        t.push_back({p + ".mlp.gate_proj.weight", {i, h}});
        t.push_back({p + ".mlp.up_proj.weight", {i, h}});
        t.push_back({p + ".mlp.down_proj.weight", {h, i}});
        t.push_back({p + ".input_layernorm.weight", {h}, Init::ones_ish});
        t.push_back({p + ".post_attention_layernorm.weight", {h}, Init::ones_ish});
    }
    t.push_back({"model.norm.weight", {h}, Init::ones_ish});
    t.push_back({"lm_head.weight", {o.vocab, h}});
    return t;
}

json llama_config(const Options& o) {
    return {{"architectures", {"LlamaForCausalLM"}},
            {"attention_bias", false},
            {"attention_dropout", 0.0},
            {"bos_token_id", 1},
            {"eos_token_id", 2},
            {"hidden_act", "silu"},
            {"hidden_size", o.hidden},
            {"initializer_range", 0.02},
            {"intermediate_size", o.intermediate},
            {"max_position_embeddings", 2048},
            {"model_type", "llama"},
            {"num_attention_heads", o.heads},
            {"num_hidden_layers", o.layers},
            {"num_key_value_heads", o.kv_heads},
            {"pretraining_tp", 1},
            {"rms_norm_eps", 1e-5},
            {"rope_scaling", nullptr},
            {"rope_theta", 10000.0},
            {"tie_word_embeddings", false},
            {"torch_dtype", torch_dtype(o.dtype)},
            {"transformers_version", "4.40.2"},
            {"use_cache", true},
            {"vocab_size", o.vocab}};
}

json bert_config(const Options& o) {
    return {{"architectures", {"BertForSequenceClassification"}},
            {"attention_probs_dropout_prob", 0.1},
            {"classifier_dropout", nullptr},
            {"hidden_act", "gelu"},
            {"hidden_dropout_prob", 0.1},
            {"hidden_size", o.hidden},
            {"initializer_range", 0.02},
            {"intermediate_size", o.intermediate},
            {"layer_norm_eps", 1e-12},
            {"max_position_embeddings", 512},
            {"model_type", "bert"},
            {"num_attention_heads", o.heads},
            {"num_hidden_layers", o.layers},
            {"num_labels", 2},
            {"pad_token_id", 0},
            {"position_embedding_type", "absolute"},
            {"torch_dtype", torch_dtype(o.dtype)},
            {"transformers_version", "4.40.2"},
            {"type_vocab_size", 2},
            {"use_cache", true},
            {"vocab_size", o.vocab}};
}

json gpt2_config(const Options& o) {
    const int64_t eos = o.vocab - 1;  // 50256 for the real vocabulary
    return {{"activation_function", "gelu_new"},
            {"architectures", {"GPT2LMHeadModel"}},
            {"attn_pdrop", 0.1},
            {"bos_token_id", eos},
            {"embd_pdrop", 0.1},
            {"eos_token_id", eos},
            {"initializer_range", 0.02},
            {"layer_norm_epsilon", 1e-5},
            {"model_type", "gpt2"},
            {"n_ctx", 1024},
            {"n_embd", o.hidden},
            {"n_head", o.heads},
            {"n_inner", o.intermediate == 4 * o.hidden ? json(nullptr) : json(o.intermediate)},
            {"n_layer", o.layers},
            {"n_positions", 1024},
            {"resid_pdrop", 0.1},
            {"scale_attn_weights", true},
            {"tie_word_embeddings", true},
            {"torch_dtype", torch_dtype(o.dtype)},
            {"transformers_version", "4.40.2"},
            {"use_cache", true},
            {"vocab_size", o.vocab}};
}

void write_json(const fs::path& path, const json& j) {
    std::ofstream f(path);
    f << j.dump(2) << "\n";
    if (!f) throw std::runtime_error("file '" + path.string() + "': cannot write");
}

// Writes one safetensors file holding tensors [begin, end) of `all`, streaming the data in chunks.
uint64_t write_safetensors(const fs::path& path, const std::vector<TensorSpec>& all, size_t begin, size_t end,
                           const Options& o, Normal& rng) {
    const size_t esize = dtype_size(o.dtype);
    json header;
    header["__metadata__"] = {{"format", "pt"}};
    uint64_t offset = 0;
    for (size_t k = begin; k < end; ++k) {
        uint64_t bytes = static_cast<uint64_t>(all[k].numel()) * esize;
        header[all[k].name] = {
            {"dtype", safetensors_dtype(o.dtype)}, {"shape", all[k].shape}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');

    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) throw std::runtime_error("file '" + path.string() + "': cannot create (" + std::strerror(errno) + ")");
    uint64_t n = text.size();
    unsigned char len[8];
    for (int b = 0; b < 8; ++b) len[b] = static_cast<unsigned char>(n >> (8 * b));  // little-endian
    bool ok = std::fwrite(len, 1, 8, f) == 8 && std::fwrite(text.data(), 1, text.size(), f) == text.size();

    constexpr int64_t chunk = 1 << 20;  // elements
    std::vector<float> f32(chunk);
    std::vector<uint16_t> f16(chunk);
    for (size_t k = begin; k < end && ok; ++k) {
        const float base = all[k].init == Init::ones_ish ? 1.0f : 0.0f;
        for (int64_t done = 0, total = all[k].numel(); done < total && ok; done += chunk) {
            const int64_t m = std::min(chunk, total - done);
            for (int64_t e = 0; e < m; ++e) f32[e] = base + 0.02f * rng.next();
            if (o.dtype == "f32") {
                ok = std::fwrite(f32.data(), 4, m, f) == static_cast<size_t>(m);
            } else {
                for (int64_t e = 0; e < m; ++e) f16[e] = o.dtype == "f16" ? to_f16(f32[e]) : to_bf16(f32[e]);
                ok = std::fwrite(f16.data(), 2, m, f) == static_cast<size_t>(m);
            }
        }
    }
    ok = (std::fclose(f) == 0) && ok;
    if (!ok) throw std::runtime_error("file '" + path.string() + "': write failed (" + std::strerror(errno) + ")");
    return offset;
}

int64_t parse_int(const std::string& flag, const char* v) {
    try {
        size_t used = 0;
        long long x = std::stoll(v, &used);
        if (used == std::strlen(v) && x > 0) return x;
    } catch (const std::exception&) {}
    throw std::invalid_argument("option '" + flag + "': expected a positive integer, got '" + v + "'");
}

Options parse_args(int argc, char** argv) {
    Options o;
    for (int a = 1; a < argc; ++a) {
        const std::string flag = argv[a];
        if (flag == "-h" || flag == "--help") {
            std::puts(
                "usage: hfx_make_checkpoint --arch bert|gpt2|llama --out DIR [--layers N] [--hidden H] [--heads A]\n"
                "       [--kv-heads K] [--intermediate I] [--vocab V] [--dtype f32|f16|bf16] [--shards N]\n"
                "       [--seed S]");
            std::exit(0);
        }
        if (a + 1 >= argc) throw std::invalid_argument("option '" + flag + "': missing value");
        const char* v = argv[++a];
        if (flag == "--arch") o.arch = v;
        else if (flag == "--out") o.out = v;
        else if (flag == "--dtype") o.dtype = v;
        else if (flag == "--layers") o.layers = parse_int(flag, v);
        else if (flag == "--hidden") o.hidden = parse_int(flag, v);
        else if (flag == "--heads") o.heads = parse_int(flag, v);
        else if (flag == "--kv-heads") o.kv_heads = parse_int(flag, v);
        else if (flag == "--intermediate") o.intermediate = parse_int(flag, v);
        else if (flag == "--vocab") o.vocab = parse_int(flag, v);
        else if (flag == "--shards") o.shards = static_cast<int>(parse_int(flag, v));
        else if (flag == "--seed") o.seed = static_cast<uint64_t>(parse_int(flag, v));
        else throw std::invalid_argument("option '" + flag + "': unknown");
    }
    if (o.arch != "bert" && o.arch != "gpt2" && o.arch != "llama")
        throw std::invalid_argument("option '--arch': expected bert, gpt2 or llama, got '" + o.arch + "'");
    if (o.out.empty()) throw std::invalid_argument("option '--out': required");
    if (o.dtype != "f32" && o.dtype != "f16" && o.dtype != "bf16")
        throw std::invalid_argument("option '--dtype': expected f32, f16 or bf16, got '" + o.dtype + "'");
    if (o.hidden % o.heads != 0)
        throw std::invalid_argument("option '--heads': " + std::to_string(o.heads) + " does not divide hidden size " +
                                    std::to_string(o.hidden));
    if (o.kv_heads < 0) o.kv_heads = o.heads;
    if (o.kv_heads > o.heads || o.heads % o.kv_heads != 0)
        throw std::invalid_argument("option '--kv-heads': " + std::to_string(o.kv_heads) + " does not divide --heads " +
                                    std::to_string(o.heads));
    if (o.kv_heads != o.heads && o.arch != "llama") throw std::invalid_argument("option '--kv-heads': llama only");
    if (o.intermediate < 0) o.intermediate = 4 * o.hidden;
    if (o.vocab < 0) o.vocab = o.arch == "bert" ? 30522 : o.arch == "gpt2" ? 50257 : 32000;
    return o;
}

// Splits tensors into `shards` contiguous groups of roughly equal byte size; returns group ends.
std::vector<size_t> shard_ends(const std::vector<TensorSpec>& t, int shards) {
    uint64_t total = 0;
    for (const auto& s : t) total += static_cast<uint64_t>(s.numel());
    std::vector<size_t> ends;
    uint64_t acc = 0;
    for (size_t k = 0; k < t.size(); ++k) {
        acc += static_cast<uint64_t>(t[k].numel());
        const size_t left_tensors = t.size() - k - 1, left_shards = shards - ends.size() - 1;
        if (ends.size() + 1 < static_cast<size_t>(shards) &&
            (acc * shards >= total * (ends.size() + 1) || left_tensors == left_shards))
            ends.push_back(k + 1);
    }
    ends.push_back(t.size());
    return ends;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const Options o = parse_args(argc, argv);
        const auto tensors = o.arch == "bert" ? bert_tensors(o) : o.arch == "gpt2" ? gpt2_tensors(o) : llama_tensors(o);
        if (static_cast<size_t>(o.shards) > tensors.size())
            throw std::invalid_argument("option '--shards': more shards than the " + std::to_string(tensors.size()) +
                                        " tensors");
        fs::create_directories(o.out);
        write_json(o.out / "config.json", o.arch == "bert"   ? bert_config(o)
                                          : o.arch == "gpt2" ? gpt2_config(o)
                                                             : llama_config(o));

        Normal rng(o.seed);
        uint64_t params = 0, bytes = 0;
        for (const auto& t : tensors) params += static_cast<uint64_t>(t.numel());
        if (o.shards == 1) {
            bytes = write_safetensors(o.out / "model.safetensors", tensors, 0, tensors.size(), o, rng);
        } else {
            json weight_map = json::object();
            size_t begin = 0;
            int k = 0;
            for (size_t end : shard_ends(tensors, o.shards)) {
                char name[64];
                std::snprintf(name, sizeof name, "model-%05d-of-%05d.safetensors", ++k, o.shards);
                bytes += write_safetensors(o.out / name, tensors, begin, end, o, rng);
                for (size_t t = begin; t < end; ++t) weight_map[tensors[t].name] = name;
                begin = end;
            }
            write_json(o.out / "model.safetensors.index.json",
                       {{"metadata", {{"total_size", bytes}}}, {"weight_map", weight_map}});
        }
        std::printf("%s: %s, %zu tensors, %llu parameters, %.1f MB of %s weights in %d file(s)\n", o.out.c_str(),
                    o.arch.c_str(), tensors.size(), static_cast<unsigned long long>(params), bytes / 1e6,
                    o.dtype.c_str(), o.shards);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "hfx_make_checkpoint: %s\n", e.what());
        return 1;
    }
}
