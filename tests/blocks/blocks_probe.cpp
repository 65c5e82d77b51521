// Test-only plugin: one model type per SDK block, its graph is the block alone
// (parameters from config.json), so blocks_test.cpp can check it against the
// formula it documents.
#include <hfx/hfx.h>

using namespace hfx;

namespace {

void declare(Graph& g) {
    g.set_property("default_opset", "14");
    g.set_property("atol", "1e-5");
}

// x [batch, heads, sequence, head_dim], positions [batch, sequence] -> apply_rotary(x, rotary_tables(positions))
void rotary(Graph& g) {
    Config c = g.config();
    declare(g);
    RotaryOptions o{.head_dim = c.i("head_dim"),
                    .rotary_dim = c.i("rotary_dim", -1),
                    .base = c.f("base", 10000.0),
                    .style = c.s("style") == "interleaved" ? RotaryStyle::interleaved : RotaryStyle::half,
                    .scaling = RotaryScaling::linear,
                    .factor = c.f("position_scale", 1.0)};
    Value x = g.input(IO{"x", DT::f32, {"batch", "heads", "sequence", std::to_string(o.head_dim)}, HFX_DUMMY_NORMAL});
    Value pos = g.input(IO{"positions", DT::i64, {"batch", "sequence"}, HFX_DUMMY_POSITIONS});
    g.output(apply_rotary(x, rotary_tables(pos, o), o),
             IO{"y", DT::f32, {"batch", "heads", "sequence", std::to_string(o.head_dim)}});
}

// rel [n] -> log_bucket_position(rel)
void log_bucket(Graph& g) {
    Config c = g.config();
    declare(g);
    Value rel = g.input(IO{"rel", DT::i64, {"n"}, HFX_DUMMY_IDS, 0, 8});
    g.output(log_bucket_position(rel, c.i("bucket_size"), c.i("max_position")), IO{"bucket", DT::i64, {"n"}});
}

}  // namespace

HFX_PLUGIN("blocks-probe", "0.1.0") {
    reg.add({.model_type = "hfx-probe-rotary", .features = {"default"}, .build = rotary});
    reg.add({.model_type = "hfx-probe-log-bucket", .features = {"default"}, .build = log_bucket});
}
