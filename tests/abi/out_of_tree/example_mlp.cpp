// The smallest useful plugin: a two-layer MLP over embeddings, model type
// "hfx-example-mlp" (config: vocab_size, hidden_size). Written against the
// installed SDK only.
#include <hfx/hfx.h>

using namespace hfx;

static void build(Graph& g) {
    Config c = g.config();
    int64_t vocab = c.i("vocab_size"), hidden = c.i("hidden_size");
    TextEncoderOnnxConfig oc(g, g.feature(), {.token_type_ids = false, .vocab_size = vocab});
    auto in = oc.declare_inputs();
    Weights vb(g);
    Value x = embedding(vb.pp("embed"), in["input_ids"], vocab, hidden);
    x = linear(vb.pp("fc2"), activation(linear(vb.pp("fc1"), x, {.in = hidden, .out = hidden}), "relu"),
               {.in = hidden, .out = hidden});
    oc.output("last_hidden_state", x);
    oc.output("pooler_output", first_token(x));
}

HFX_PLUGIN("example-mlp", "1.0.0") {
    reg.add({.model_type = "hfx-example-mlp", .features = {"default"}, .reference = "example", .build = build});
}
