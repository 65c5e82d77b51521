// config.json: the JSON reader with its duplicate-key check, read_config's
// model_type check, and the SDK's typed view (hfx::Config over the host's
// config table) that every plugin reads its keys through, asked for each key
// the file holds as each type, plus the keys most plugins read.
#include "checkpoint/weight_set.h"
#include "fuzz_util.h"
#include "graph/build.h"
#include "hfx/config.h"

namespace {

constexpr const char* common_keys[] = {
    "hidden_size",
    "num_attention_heads",
    "num_key_value_heads",
    "num_hidden_layers",
    "intermediate_size",
    "vocab_size",
    "max_position_embeddings",
    "n_embd",
    "n_head",
    "n_layer",
    "d_model",
    "head_dim",
    "layer_norm_eps",
    "rope_theta",
    "hidden_act",
    "text_config/hidden_size",
    "id2label",
    "rope_scaling/factor",
};

template <class F>
void each_read(F&& read) {
    try {
        read();
    } catch (const hfx::Error&) {}
}

void read_all_ways(const hfx::Config& cfg, const std::string& key) {
    each_read([&] { (void)cfg.has(key); });
    each_read([&] { (void)cfg.i(key); });
    each_read([&] { (void)cfg.i(key, -1); });
    each_read([&] { (void)cfg.f(key); });
    each_read([&] { (void)cfg.s(key); });
    each_read([&] { (void)cfg.b(key, false); });
    each_read([&] { (void)cfg.size(key); });
    each_read([&] { (void)cfg.keys(key); });
    each_read([&] { (void)cfg.sub(key).num_labels(); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string path = hfx::fuzz::write_file("config.json", data, size);
    hfx::fuzz::expect_clean([&] {
        nlohmann::json config = hfx::read_config(path);
        hfx_build b;
        b.config = &config;
        hfx::Config cfg(hfx::host_api(), &b);
        nlohmann::json flat = config.flatten();  // (a named object: items() of a temporary dangles)
        for (const auto& [pointer, value] : flat.items()) read_all_ways(cfg, pointer);
        for (const char* key : common_keys) read_all_ways(cfg, key);
        each_read([&] {
            cfg.require_divisible("hidden_size", cfg.i("hidden_size"), "num_attention_heads",
                                  cfg.i("num_attention_heads"));
        });
        (void)cfg.num_labels();
    });
    return 0;
}
