#include "export/config_divisible.h"

#include "core/error.h"

namespace hfx {
namespace {

struct Pair {
    const char* dividend;
    const char* divisor;
    bool width;  // a width over a head count (not heads over kv heads)
};

// The names transformers' configs use (attribute_map aliases included).
constexpr Pair pairs[] = {
    {"hidden_size", "num_attention_heads", true},
    {"n_embd", "n_head", true},
    {"hidden_size", "n_head", true},
    {"hidden_size", "num_heads", true},
    {"d_model", "encoder_attention_heads", true},
    {"d_model", "decoder_attention_heads", true},
    {"d_model", "num_heads", true},
    {"dim", "n_heads", true},
    {"embed_dim", "num_heads", true},
    {"n_embd", "num_attention_heads", true},
    {"num_attention_heads", "num_key_value_heads", false},
    {"n_head", "n_head_kv", false},
    {"num_attention_heads", "num_kv_heads", false},
    {"n_head", "num_kv_heads", false},
};

// Keys that set the head size outright (LLaMA/Gemma head_dim, T5 d_kv, DeBERTa-v2
// attention_head_size, ...); MobileBERT's attention runs at intra_bottleneck_size.
constexpr const char* head_size_keys[] = {
    "head_dim", "d_kv", "attention_head_size", "kv_channels", "head_size", "intra_bottleneck_size", "true_hidden_size"};

// The integer at `pointer`, when config.json holds one there (the SDK has already
// refused non-integers for the plugin that read it).
bool integer_at(const nlohmann::json& config, const std::string& pointer, int64_t* out) {
    try {
        nlohmann::json::json_pointer p(pointer);
        if (!config.contains(p)) return false;
        const nlohmann::json& v = config.at(p);
        if (v.is_number_integer()) {
            *out = v.get<int64_t>();
            return true;
        }
        if (v.is_number_float() && v.get<double>() == double(int64_t(v.get<double>()))) {
            *out = int64_t(v.get<double>());
            return true;
        }
    } catch (const std::exception&) {}
    return false;
}

bool present_and_read(const nlohmann::json& config, const std::set<std::string>& reads, const std::string& pointer) {
    if (!reads.count(pointer)) return false;
    try {
        return config.contains(nlohmann::json::json_pointer(pointer));
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace

void check_head_divisibility(const nlohmann::json& config, const std::set<std::string>& reads) {
    for (const std::string& read : reads) {
        size_t slash = read.rfind('/');
        if (slash == std::string::npos) continue;
        std::string prefix = read.substr(0, slash), name = read.substr(slash + 1);
        bool explicit_head_size = false;
        for (const char* k : head_size_keys)
            explicit_head_size = explicit_head_size || present_and_read(config, reads, prefix + "/" + k);
        for (const Pair& pair : pairs) {
            if (name != pair.divisor || (pair.width && explicit_head_size)) continue;
            std::string dividend = prefix + "/" + pair.dividend;
            int64_t a = 0, b = 0;
            if (!reads.count(dividend) || !integer_at(config, dividend, &a) || !integer_at(config, read, &b)) continue;
            if (b > 0 && a % b != 0)
                fail("config key '", read.substr(1), "': ", std::to_string(b), " does not divide '", dividend.substr(1),
                     "' (", std::to_string(a), ") (config.json)");
        }
    }
}

}  // namespace hfx
