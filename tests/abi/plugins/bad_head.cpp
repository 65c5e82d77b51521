// A broken head for the selftest harness: sequence-classification returns
// per-token logits [batch, sequence, num_labels] (the pooling is forgotten)
// while the task declares [batch, num_labels]. selftest must name the output.
#include <hfx/hfx.h>

using namespace hfx;

static void build(Graph& g) {
    Config c = g.config();
    int64_t hidden = c.i("hidden_size"), vocab = c.i("vocab_size"), labels = c.num_labels();
    TextEncoderOnnxConfig oc(g, g.feature(), {.token_type_ids = false, .vocab_size = vocab});
    auto in = oc.declare_inputs();
    Weights vb = Weights::base(g, "encoder", "embed.weight");
    Value x =
        embedding(vb.pp("embed"), in["input_ids"], vocab, hidden) * unsqueeze(cast(in["attention_mask"], DT::f32), {2});
    x = layer_norm(vb.pp("norm"), x, {.dim = hidden});
    if (oc.task() == "default") {
        oc.output("last_hidden_state", x);
        return oc.output("pooler_output", first_token(x));
    }
    oc.output("logits", linear(Weights(g, "classifier"), x, {.in = hidden, .out = labels}));  // the bug: no pooling
}

HFX_PLUGIN("bad-head", "1") {
    reg.add({.model_type = "bad-head",
             .features = {"default", "sequence-classification"},
             .build = build,
             .tiny_config = R"({"model_type": "bad-head", "vocab_size": 30, "hidden_size": 8, "num_labels": 3})"});
}
