// SDK blocks against the formulas of the HF code they stand for:
// rotary embeddings (rotate_half / rotate_every_two, partial) and DeBERTa-v2's
// make_log_bucket_position, written out here in plain loops.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "checkpoint/checkpoint.h"
#include "export/exporter.h"
#include "runtime/session.h"
#include "support/golden.h"
#include "validate/validate.h"

namespace hfx::test {
namespace {

PluginRegistry& registry() {
    static PluginRegistry r;
    static bool loaded = (r.load_dir(HFX_PROBE_PLUGIN_DIR), true);
    (void)loaded;
    return r;
}

// A checkpoint folder holding `config` and one unused weight.
void write_checkpoint(const std::string& dir, const std::string& config) {
    std::ofstream(dir + "/config.json") << config;
    std::string header = R"({"unused":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
    while (header.size() % 8) header += ' ';
    uint64_t n = header.size();
    float zero = 0;
    std::ofstream f(dir + "/model.safetensors", std::ios::binary);
    f.write(reinterpret_cast<const char*>(&n), 8);
    f << header;
    f.write(reinterpret_cast<const char*>(&zero), 4);
}

std::vector<Tensor> run(const std::string& config, const std::map<std::string, Tensor>& feeds) {
    TempDir dir;
    write_checkpoint(dir.path, config);
    Checkpoint ckpt = Checkpoint::open(dir.path);
    BuiltModel built = build_model(registry(), ckpt, "default");
    rt::Session session(eager_form(built.model));
    return session.run({}, feeds);
}

struct RotaryCase {
    std::string style;
    int64_t head_dim, rotary_dim;
    double position_scale = 1.0;
};

// HF: inv_freq = 1 / base^(arange(0, r, 2) / r); pair j turns by pos * inv_freq[j].
// rotate_half pairs (j, j + r/2); rotate_every_two pairs (2j, 2j + 1); features >= r pass through;
// "linear" rope scaling divides the positions.
TEST(Blocks, RotaryMatchesTheHfFormulas) {
    for (RotaryCase rc : {RotaryCase{"half", 8, 8}, RotaryCase{"interleaved", 8, 8}, RotaryCase{"half", 8, 4},
                          RotaryCase{"interleaved", 10, 6}, RotaryCase{"half", 8, 8, 4.0}}) {
        int64_t b = 2, h = 3, s = 5, d = rc.head_dim, r = rc.rotary_dim;
        std::vector<float> x(size_t(b * h * s * d));
        for (size_t k = 0; k < x.size(); ++k) x[k] = std::sin(0.37f * float(k) + 0.1f);
        std::vector<int64_t> pos(size_t(b * s));
        for (int64_t i = 0; i < b * s; ++i) pos[size_t(i)] = (i * 7) % 11;
        std::string config = R"({"model_type": "hfx-probe-rotary", "style": ")" + rc.style + R"(", "head_dim": )" +
                             std::to_string(d) + R"(, "rotary_dim": )" + std::to_string(r) +
                             R"(, "base": 500.0, "position_scale": )" + std::to_string(rc.position_scale) + "}";
        auto out = run(config, {{"x", Tensor::from(DType::f32, {b, h, s, d}, x)},
                                {"positions", Tensor::from(DType::i64, {b, s}, pos)}});
        ASSERT_EQ(out.size(), 1u);
        const float* y = out[0].ptr<float>();
        double worst = 0;
        for (int64_t bi = 0; bi < b; ++bi)
            for (int64_t hi = 0; hi < h; ++hi)
                for (int64_t si = 0; si < s; ++si) {
                    const float* xr = &x[size_t(((bi * h + hi) * s + si) * d)];
                    const float* yr = y + ((bi * h + hi) * s + si) * d;
                    std::vector<double> want(xr, xr + d);
                    for (int64_t j = 0; j < r / 2; ++j) {
                        double theta = double(pos[size_t(bi * s + si)]) / rc.position_scale /
                                       std::pow(500.0, double(2 * j) / double(r));
                        int64_t a = rc.style == "half" ? j : 2 * j, o = rc.style == "half" ? j + r / 2 : 2 * j + 1;
                        want[size_t(a)] = xr[a] * std::cos(theta) - xr[o] * std::sin(theta);
                        want[size_t(o)] = xr[o] * std::cos(theta) + xr[a] * std::sin(theta);
                    }
                    for (int64_t k = 0; k < d; ++k) worst = std::max(worst, std::abs(want[size_t(k)] - yr[k]));
                }
        EXPECT_LT(worst, 1e-5) << rc.style << " head_dim " << d << " rotary_dim " << r;
    }
}

// transformers 4.40.2 deberta_v2.make_log_bucket_position, in the same float32 steps.
int64_t log_bucket_reference(int64_t rel, int64_t bucket_size, int64_t max_position) {
    int64_t mid = bucket_size / 2;
    int64_t sign = rel > 0 ? 1 : rel < 0 ? -1 : 0;
    int64_t abs_pos = (rel < mid && rel > -mid) ? mid - 1 : std::llabs(rel);
    float log_den = std::log(float(double(max_position - 1) / double(mid)));
    float log_pos = std::ceil(std::log(float(abs_pos) / float(mid)) / log_den * float(mid - 1)) + float(mid);
    return abs_pos <= mid ? rel : int64_t(log_pos * float(sign));
}

TEST(Blocks, LogBucketPositionMatchesDebertaV2) {
    std::vector<int64_t> rel;
    for (int64_t v = -600; v <= 600; v += 3) rel.push_back(v);
    for (auto [buckets, max_pos] : {std::pair<int64_t, int64_t>{256, 512}, {32, 128}, {64, 1024}}) {
        std::string config = R"({"model_type": "hfx-probe-log-bucket", "bucket_size": )" + std::to_string(buckets) +
                             R"(, "max_position": )" + std::to_string(max_pos) + "}";
        auto out = run(config, {{"rel", Tensor::from(DType::i64, {int64_t(rel.size())}, rel)}});
        ASSERT_EQ(out.size(), 1u);
        ASSERT_EQ(out[0].dtype, DType::i64);
        for (size_t k = 0; k < rel.size(); ++k)
            EXPECT_EQ(out[0].ptr<int64_t>()[k], log_bucket_reference(rel[k], buckets, max_pos))
                << "rel " << rel[k] << " buckets " << buckets << " max " << max_pos;
    }
}

}  // namespace
}  // namespace hfx::test
