// Typed view of config.json, as candle reads its Config: `cfg.i("hidden_size")`.
// Missing keys without a default, and keys of the wrong type, throw an error
// naming the key and the config file.
#pragma once
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
    int64_t i(const std::string& key) const { return int64_t(number(key, nullptr)); }
    int64_t i(const std::string& key, int64_t fallback) const {
        double d = double(fallback);
        return int64_t(number(key, &d));
    }
    std::string s(const std::string& key) const { return string(key, nullptr); }
    std::string s(const std::string& key, const std::string& fallback) const { return string(key, &fallback); }
    bool b(const std::string& key, bool fallback) const {
        int v = 0;
        std::string p = path(key);
        int rc = api_->config_bool(b_, p.c_str(), &v);
        if (rc < 0) throw Error("config key '" + key + "': expected true or false (config.json)");
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

private:
    std::string path(const std::string& key) const {
        return prefix_ + (key.empty() || key[0] == '/' ? key : "/" + key);
    }
    double number(const std::string& key, const double* fallback) const {
        double v = 0;
        std::string p = path(key);
        int rc = api_->config_number(b_, p.c_str(), &v);
        if (rc < 0) throw Error("config key '" + p + "': expected a number (config.json)");
        if (rc == 0) {
            if (!fallback) throw Error("config key '" + p + "': missing (config.json)");
            return *fallback;
        }
        return v;
    }
    std::string string(const std::string& key, const std::string* fallback) const {
        const char* v = nullptr;
        std::string p = path(key);
        int rc = api_->config_string(b_, p.c_str(), &v);
        if (rc < 0) throw Error("config key '" + p + "': expected a string (config.json)");
        if (rc == 0) {
            if (!fallback) throw Error("config key '" + p + "': missing (config.json)");
            return *fallback;
        }
        return v;
    }

    const hfx_host_api* api_;
    const hfx_build* b_;
    std::string prefix_;
};

}  // namespace hfx
