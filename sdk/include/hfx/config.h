// Typed view of config.json, as candle reads its Config: `cfg.i("hidden_size")`.
// Missing keys without a default, and keys of the wrong type, throw an error
// naming the key and the config file.
//
// Integers are checked here, once for every plugin: i() takes only a whole
// number that a double holds exactly (|v| <= 2^53), and a key that names a
// size or a count (see count_kind) must also be in [0, 2^31) (heads: >= 1), so
// 48.5, -1 or 2^64 never reach a plugin's arithmetic (a negative size would
// read as "any" in a weight-shape check, 0 heads divides by zero). A negative
// value equal to the plugin's own negative default is its "unset" sentinel
// (DeBERTa's `max_relative_positions: -1`) and passes.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "hfx/abi.h"
#include "hfx/error.h"

namespace hfx {

class Config {
public:
    Config(const hfx_host_api* api, const hfx_build* b, std::string prefix = "")
        : api_(api), b_(b), prefix_(std::move(prefix)) {}

    // A nested object: cfg.sub("text_config").i("hidden_size").
    Config sub(const std::string& key) const { return Config(api_, b_, path(key)); }
    bool has(const std::string& key) const {
        size_t n;
        double d;
        const char* s;
        int flag;
        std::string p = path(key);
        return api_->config_number(b_, p.c_str(), &d) != 0 || api_->config_string(b_, p.c_str(), &s) != 0 ||
               api_->config_bool(b_, p.c_str(), &flag) != 0 || api_->config_size(b_, p.c_str(), &n) != 0;
    }

    double f(const std::string& key) const { return number(key, nullptr); }
    double f(const std::string& key, double fallback) const { return number(key, &fallback); }
    int64_t i(const std::string& key) const { return integer(key, nullptr); }
    int64_t i(const std::string& key, int64_t fallback) const { return integer(key, &fallback); }
    // `a` must be a multiple of `b` (hidden_size of num_attention_heads): the
    // error names both keys, not the ONNX checker's Reshape.
    void require_divisible(const std::string& a, int64_t va, const std::string& b, int64_t vb) const {
        if (vb <= 0 || va % vb != 0)
            throw Error(ErrorKind::config, "config key '" + path(a) + "': " + std::to_string(va) +
                                               " is not a multiple of '" + path(b) + "' (" + std::to_string(vb) +
                                               ") (config.json)");
    }
    std::string s(const std::string& key) const { return string(key, nullptr); }
    std::string s(const std::string& key, const std::string& fallback) const { return string(key, &fallback); }
    bool b(const std::string& key, bool fallback) const {
        int v = 0;
        std::string p = path(key);
        int rc = api_->config_bool(b_, p.c_str(), &v);
        if (rc < 0) throw Error(ErrorKind::config, "config key '" + key + "': expected true or false (config.json)");
        return rc == 0 ? fallback : v != 0;
    }
    // Number of entries of an array or object (0 when absent).
    size_t size(const std::string& key) const {
        size_t n = 0;
        std::string p = path(key);
        return api_->config_size(b_, p.c_str(), &n) > 0 ? n : 0;
    }
    std::vector<std::string> keys(const std::string& key) const {
        std::vector<std::string> out;
        std::string p = path(key);
        for (size_t k = 0, n = size(key); k < n; ++k) {
            const char* name = nullptr;
            if (api_->config_key(b_, p.c_str(), k, &name) > 0) out.push_back(name);
        }
        return out;
    }
    // Number of labels of a classification head, as PretrainedConfig.num_labels.
    int64_t num_labels() const {
        if (size("id2label")) return int64_t(size("id2label"));
        return i("num_labels", 2);
    }

    // What a key's name says its integer is, from HF's naming: counts and
    // sizes (num_*, n_*, *_size, *_layers, *_dim, *_embeddings, *_positions,
    // d_model, ...) and, among them, head and group counts, which are divisors.
    enum class CountKind { none, count, heads };
    static CountKind count_kind(const std::string& pointer) {
        // The name is the last component that is not an array index ("depths/0" -> depths).
        std::string name = pointer;
        while (!name.empty()) {
            size_t slash = name.rfind('/');
            std::string last = name.substr(slash == std::string::npos ? 0 : slash + 1);
            if (!last.empty() && last.find_first_not_of("0123456789") != std::string::npos) {
                name = last;
                break;
            }
            name = slash == std::string::npos ? "" : name.substr(0, slash);
        }
        auto starts = [&](const char* p) { return name.rfind(p, 0) == 0; };
        auto ends = [&](const std::string& t) {
            return name.size() >= t.size() && name.compare(name.size() - t.size(), t.size(), t) == 0;
        };
        if (ends("_heads") || ends("_groups") || name == "n_head" || name == "num_kv_heads") return CountKind::heads;
        if (starts("num_") || starts("n_") || ends("_size") || ends("_layers") || ends("_dim") || ends("_embeddings") ||
            ends("_positions") || name == "d_model" || name == "d_kv" || name == "d_ff" || name == "dim" ||
            name == "depths" || name == "hidden_sizes")
            return CountKind::count;
        return CountKind::none;
    }

private:
    std::string path(const std::string& key) const {
        return prefix_ + (key.empty() || key[0] == '/' ? key : "/" + key);
    }
    double number(const std::string& key, const double* fallback) const {
        double v = 0;
        std::string p = path(key);
        int rc = api_->config_number(b_, p.c_str(), &v);
        if (rc < 0) throw Error(ErrorKind::config, "config key '" + p + "': expected a number (config.json)");
        if (rc == 0) {
            if (!fallback) throw Error(ErrorKind::config, "config key '" + p + "': missing (config.json)");
            return *fallback;
        }
        return v;
    }
    int64_t integer(const std::string& key, const int64_t* fallback) const {
        double v = 0;
        std::string p = path(key);
        int rc = api_->config_number(b_, p.c_str(), &v);
        if (rc < 0) throw Error(ErrorKind::config, "config key '" + p + "': expected an integer (config.json)");
        if (rc == 0) {
            if (!fallback) throw Error(ErrorKind::config, "config key '" + p + "': missing (config.json)");
            return *fallback;
        }
        auto bad = [&](const std::string& what) -> Error {
            char text[64];
            std::snprintf(text, sizeof text, "%.17g", v);
            return Error(ErrorKind::config, "config key '" + p + "': " + text + " " + what + " (config.json)");
        };
        constexpr double exact = 9007199254740992.0;  // 2^53: larger doubles skip integers
        if (!std::isfinite(v) || std::floor(v) != v || std::fabs(v) > exact) throw bad("is not an integer in range");
        int64_t n = int64_t(v);
        CountKind kind = count_kind(p);
        if (kind == CountKind::none || (fallback && *fallback < 0 && n == *fallback)) return n;
        if (kind == CountKind::heads && n < 1) throw bad("is not a positive count");
        if (n < 0) throw bad("is not a non-negative size or count");
        if (n > int64_t(INT32_MAX)) throw bad("is too large for a size or count");
        return n;
    }
    std::string string(const std::string& key, const std::string* fallback) const {
        const char* v = nullptr;
        std::string p = path(key);
        int rc = api_->config_string(b_, p.c_str(), &v);
        if (rc < 0) throw Error(ErrorKind::config, "config key '" + p + "': expected a string (config.json)");
        if (rc == 0) {
            if (!fallback) throw Error(ErrorKind::config, "config key '" + p + "': missing (config.json)");
            return *fallback;
        }
        return v;
    }

    const hfx_host_api* api_;
    const hfx_build* b_;
    std::string prefix_;
};

}  // namespace hfx
