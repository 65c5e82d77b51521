// BEiT and Data2VecVision, following transformers 4.40.2 src/transformers/models/beit/modeling_beit.py
// and models/data2vec/modeling_data2vec_vision.py (a copy of BEiT under the prefix
// "data2vec_vision"), eager attention.
// Pre-norm ViT layers with layer scale (lambda_1/lambda_2), a key projection
// without bias, and relative position bias tables (per layer or shared) over the
// patch grid plus [CLS]; the index table is computed here (transformers keeps it
// as a non-persistent buffer, so checkpoints do not store it).
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct BeitConfig {
    int64_t hidden, heads, layers, inter, channels, height, width, patch;
    double eps;
    std::string act;
    bool layer_scale, mean_pooling, abs_positions, rel_bias, shared_rel_bias;
    explicit BeitConfig(const Config& c)
        : hidden(c.i("hidden_size")), heads(c.i("num_attention_heads")), layers(c.i("num_hidden_layers")),
          inter(c.i("intermediate_size")), channels(c.i("num_channels", 3)), patch(c.i("patch_size", 16)),
          eps(c.f("layer_norm_eps", 1e-12)), act(c.s("hidden_act", "gelu")),
          layer_scale(c.f("layer_scale_init_value", 0.1) > 0), mean_pooling(c.b("use_mean_pooling", true)),
          abs_positions(c.b("use_absolute_position_embeddings", false)),
          rel_bias(c.b("use_relative_position_bias", false)),
          shared_rel_bias(c.b("use_shared_relative_position_bias", false)) {
        std::tie(height, width) = config_pair(c, "image_size", 224);
        (void)c.has("vocab_size");  // the visual-token head of BeitForMaskedImageModeling only (not exported)
    }
    int64_t grid_h() const { return height / patch; }
    int64_t grid_w() const { return width / patch; }
    int64_t seq() const { return grid_h() * grid_w() + 1; }
};

// BeitEmbeddings: patches (Conv, stride = patch), [CLS] in front, optional absolute positions.
Value embeddings(const Weights& vb, const BeitConfig& c, Value pixels) {
    auto s = vb.scope();
    Value patches = map_to_tokens(conv2d(vb.pp("patch_embeddings.projection"), pixels,
                                         {.in = c.channels, .out = c.hidden, .kernel = c.patch, .stride = c.patch}));
    Value x = prepend_tokens(patches, {vb.get("cls_token", {1, 1, c.hidden})});  // [batch, seq, hidden]
    if (c.abs_positions) x = x + vb.get("position_embeddings", {1, c.seq(), c.hidden});
    return x;
}

// BeitRelativePositionBias: table [(2h-1)(2w-1)+3, heads] -> [1, heads, seq, seq].
Value rel_position_bias(const Weights& vb, const BeitConfig& c) {
    auto s = vb.scope();
    int64_t entries = (2 * c.grid_h() - 1) * (2 * c.grid_w() - 1) + 3;
    Value table = vb.get("relative_position_bias_table", {entries, c.heads});
    Value index =
        vb.graph().constant_i64(window_relative_position_index(c.grid_h(), c.grid_w(), true), {c.seq(), c.seq()});
    return relative_position_bias(table, index);
}

// BeitModel up to its (optional) final LayerNorm: [batch, seq, hidden].
Value encoder(const Weights& base, const BeitConfig& c, Value pixels) {
    Value x = embeddings(base.pp("embeddings"), c, pixels);
    std::optional<Value> shared;
    if (c.shared_rel_bias) shared = rel_position_bias(base.pp("encoder.relative_position_bias"), c);
    for (int64_t i = 0; i < c.layers; ++i) {
        Weights layer = base.pp("encoder.layer", i);
        std::optional<Value> bias = shared;
        if (c.rel_bias) {
            Value own = rel_position_bias(layer.pp("attention.attention.relative_position_bias"), c);
            bias = shared ? own + *shared : own;  // BeitSelfAttention adds its own, then the shared one
        }
        x = vit_layer(layer, x,
                      {.hidden = c.hidden,
                       .heads = c.heads,
                       .intermediate = c.inter,
                       .eps = c.eps,
                       .act = c.act,
                       .key_bias = false,
                       .layer_scale = c.layer_scale,
                       .bias = bias});
    }
    // use_mean_pooling: nn.Identity here, the LayerNorm moves into the pooler.
    if (!c.mean_pooling) x = layer_norm(base.pp("layernorm"), x, {.dim = c.hidden, .eps = c.eps});
    return x;
}

// BeitPooler: LayerNorm(mean of the patch tokens), or the [CLS] token.
Value pooler(const Weights& vb, const BeitConfig& c, Value x) {
    if (!c.mean_pooling) return first_token(x);
    auto s = vb.scope();
    Value mean = reduce_mean(slice(x, 1, 1, INT64_MAX), {1}, false);
    return layer_norm(vb.pp("layernorm"), mean, {.dim = c.hidden, .eps = c.eps});
}

void build(Graph& g) {
    BeitConfig c(g.config());
    std::string task = g.feature(), type = g.model_type();
    // BeitModel pools by default; Data2VecVisionModel is built with add_pooling_layer=False.
    bool default_pooler = type == "beit";
    VisionOnnxConfig oc(g, task,
                        {.num_channels = c.channels,
                         .height = c.height,
                         .width = c.width,
                         .pooler_output = default_pooler,
                         .sequence = c.seq()});
    auto in = oc.declare_inputs();
    std::string prefix = type == "beit" ? "beit" : "data2vec_vision";
    Weights base = Weights::base(g, prefix, "embeddings.cls_token");
    Value x = encoder(base, c, in["pixel_values"]);

    if (task == "default") {
        oc.output("last_hidden_state", x);
        if (default_pooler) oc.output("pooler_output", pooler(base.pp("pooler"), c, x));
    } else if (task == "image-classification") {
        Value pooled = pooler(base.pp("pooler"), c, x);
        oc.output("logits", linear(Weights(g, "classifier"), pooled, {.in = c.hidden, .out = g.config().num_labels()}));
    }
}

std::string tiny(const std::string& type, bool shared) {
    return R"({"model_type": ")" + type + R"(", "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
        "intermediate_size": 37, "hidden_act": "gelu", "image_size": 30, "patch_size": 2, "num_channels": 3,
        "layer_norm_eps": 1e-12, "layer_scale_init_value": 0.1, "use_mean_pooling": true,
        "use_absolute_position_embeddings": false, "use_relative_position_bias": )" +
           std::string(shared ? "false" : "true") + R"(, "use_shared_relative_position_bias": )" +
           std::string(shared ? "true" : "false") + R"(, "num_labels": 3})";
}

}  // namespace

HFX_PLUGIN("beit", "0.1.0") {
    reg.add({.model_type = "beit",
             .features = {"default", "image-classification"},
             .reference = "transformers 4.40.2 models/beit/modeling_beit.py",
             .build = build,
             .tiny_config = tiny("beit", false)});
    reg.add({.model_type = "data2vec-vision",
             .features = {"default", "image-classification"},
             .reference = "transformers 4.40.2 models/data2vec/modeling_data2vec_vision.py",
             .build = build,
             .tiny_config = tiny("data2vec-vision", true)});
}
