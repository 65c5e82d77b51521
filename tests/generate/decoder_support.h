// Shared by the generate and decoder self-consistency tests: export a decoder
// fixture checkpoint to a temp folder, feed it as generate() does, slice logits.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "checkpoint/checkpoint.h"
#include "export/exporter.h"
#include "runtime/generate.h"
#include "runtime/session.h"
#include "support/golden.h"

namespace hfx::test {

// Every decoder-only model type with a causal-lm fixture that this suite covers.
inline const std::vector<std::string>& decoder_archs() {
    static const std::vector<std::string> archs = {"gpt2", "gpt_neo", "gptj", "gpt_neox", "opt", "bloom"};
    return archs;
}

inline PluginRegistry& decoder_registry() {
    static PluginRegistry r;
    static bool loaded = (r.load_dir(HFX_PLUGIN_BUILD_DIR), true);
    (void)loaded;
    return r;
}

// Exports tests/fixtures/<arch>/causal-lm as `feature` into `dir`; returns the .onnx path.
inline std::string export_decoder(const std::string& arch, const std::string& feature, const std::string& dir) {
    Checkpoint ckpt = Checkpoint::open(std::string(HFX_FIXTURES_DIR) + "/" + arch + "/causal-lm");
    BuiltModel built = build_model(decoder_registry(), ckpt, feature);
    std::string path = dir + "/" + feature + ".onnx";
    write_export(built, ckpt, path, {});
    return path;
}

inline bool has_input(const rt::Session& s, const std::string& name) {
    for (const auto& n : s.input_names())
        if (n == name) return true;
    return false;
}

inline Tensor i64(std::vector<int64_t> values, Shape shape) {
    return Tensor::from(DType::i64, std::move(shape), values);
}

// One forward as generate() feeds it: `ids` [b, new] are the last columns of `mask` [b, total];
// position_ids (when taken) = cumsum(mask) - 1, 1 on padding; `past` may be empty.
inline std::map<std::string, Tensor> run_decoder(rt::Session& s, const Tensor& ids, const Tensor& mask,
                                                 const std::map<std::string, Tensor>& past) {
    std::map<std::string, Tensor> feeds = past;
    feeds["input_ids"] = ids;
    feeds["attention_mask"] = mask;
    if (has_input(s, "position_ids")) {
        Tensor all = rt::generate_positions(mask);
        int64_t b = ids.shape[0], n = ids.shape[1], total = mask.shape[1];
        Tensor pos = Tensor::empty(DType::i64, {b, n});
        for (int64_t r = 0; r < b; ++r)
            for (int64_t c = 0; c < n; ++c)
                pos.ptr<int64_t>()[r * n + c] = all.ptr<int64_t>()[r * total + total - n + c];
        feeds["position_ids"] = pos;
    }
    std::vector<std::string> names = s.output_names();
    std::vector<Tensor> outs = s.run(names, feeds);
    std::map<std::string, Tensor> result;
    for (size_t k = 0; k < names.size(); ++k) result[names[k]] = outs[k];
    return result;
}

// present.* of a run, renamed past_key_values.* for the next one.
inline std::map<std::string, Tensor> next_past(const std::map<std::string, Tensor>& outs) {
    std::map<std::string, Tensor> past;
    for (const auto& [name, t] : outs)
        if (name.rfind("present.", 0) == 0) past["past_key_values." + name.substr(8)] = t;
    return past;
}

// Worst |a[ra, ca, :] - b[rb, cb, :]| beyond atol + rtol*|b| (0 when within), for logits [b, s, v].
inline double logits_excess(const Tensor& a, int64_t ra, int64_t ca, const Tensor& b, int64_t rb, int64_t cb) {
    int64_t v = a.shape[2];
    const float* x = a.ptr<float>() + (ra * a.shape[1] + ca) * v;
    const float* y = b.ptr<float>() + (rb * b.shape[1] + cb) * v;
    double worst = 0;
    for (int64_t k = 0; k < v; ++k) {
        double d = std::fabs(double(x[k]) - double(y[k])) - (1e-4 + 1e-4 * std::fabs(double(y[k])));
        if (!(d <= 0)) worst = std::max(worst, std::isnan(d) ? INFINITY : d);
    }
    return worst;
}

}  // namespace hfx::test
