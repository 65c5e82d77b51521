// ConvNeXT, following transformers 4.40.2 src/transformers/models/convnext/modeling_convnext.py
// (ConvNextModel, ConvNextForImageClassification).
// A convolutional network: patchify stem, stages of depthwise 7x7 conv +
// channels-last LayerNorm + pointwise MLP with layer scale (gamma), downsampling
// between stages; global average pooling + LayerNorm.
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct ConvNextConfig {
    int64_t channels, patch, stages, height, width;
    std::vector<int64_t> depths, sizes;
    double eps, layer_scale;
    std::string act;
    explicit ConvNextConfig(const Config& c)
        : channels(c.i("num_channels", 3)), patch(c.i("patch_size", 4)), stages(c.i("num_stages", 4)),
          eps(c.f("layer_norm_eps", 1e-12)), layer_scale(c.f("layer_scale_init_value", 1e-6)),
          act(c.s("hidden_act", "gelu")) {
        std::tie(height, width) = config_pair(c, "image_size", 224);
        if (int64_t(c.size("depths")) < stages || int64_t(c.size("hidden_sizes")) < stages)
            throw Error("config key 'depths': expected num_stages entries in depths and hidden_sizes (config.json)");
        for (int64_t i = 0; i < stages; ++i) {
            depths.push_back(c.i("depths/" + std::to_string(i)));
            sizes.push_back(c.i("hidden_sizes/" + std::to_string(i)));
        }
    }
};

// ConvNextLayer: x + gamma * pwconv2(act(pwconv1(LN(dwconv(x))))), x: [b, dim, h, w].
Value convnext_layer(const Weights& vb, const ConvNextConfig& c, Value x, int64_t dim) {
    auto s = vb.scope();
    Value y = conv2d(vb.pp("dwconv"), x, {.in = dim, .out = dim, .kernel = 7, .padding = 3, .groups = dim});
    y = transpose(y, {0, 2, 3, 1});  // (N, C, H, W) -> (N, H, W, C)
    y = layer_norm(vb.pp("layernorm"), y, {.dim = dim, .eps = 1e-6});
    y = activation(linear(vb.pp("pwconv1"), y, {.in = dim, .out = 4 * dim}), c.act);
    y = linear(vb.pp("pwconv2"), y, {.in = 4 * dim, .out = dim});
    if (c.layer_scale > 0) y = vb.get("layer_scale_parameter", {dim}) * y;
    return x + transpose(y, {0, 3, 1, 2});
}

// ConvNextModel: last_hidden_state [b, C, h, w] and pooled [b, C].
std::pair<Value, Value> convnext(const Weights& base, const ConvNextConfig& c, Value pixels) {
    Weights emb = base.pp("embeddings");
    Value x = [&] {
        auto s = emb.scope();
        Value y = conv2d(emb.pp("patch_embeddings"), pixels,
                         {.in = c.channels, .out = c.sizes[0], .kernel = c.patch, .stride = c.patch});
        return layer_norm_channels_first(emb.pp("layernorm"), y, {.dim = c.sizes[0], .eps = 1e-6});
    }();
    int64_t prev = c.sizes[0];
    for (int64_t i = 0; i < c.stages; ++i) {
        Weights stage = base.pp("encoder.stages", i);
        int64_t dim = c.sizes[size_t(i)];
        if (prev != dim || i > 0) {  // downsampling_layer: channels-first LayerNorm + Conv(2, stride 2)
            Weights down = stage.pp("downsampling_layer");
            auto s = down.scope();
            x = layer_norm_channels_first(down.pp("0"), x, {.dim = prev, .eps = 1e-6});
            x = conv2d(down.pp("1"), x, {.in = prev, .out = dim, .kernel = 2, .stride = 2});
        }
        for (int64_t j = 0; j < c.depths[size_t(i)]; ++j) x = convnext_layer(stage.pp("layers", j), c, x, dim);
        prev = dim;
    }
    // global average pooling, (N, C, H, W) -> (N, C), then the final LayerNorm.
    Value pooled = layer_norm(base.pp("layernorm"), reduce_mean(x, {-2, -1}, false), {.dim = prev, .eps = c.eps});
    return {x, pooled};
}

void build(Graph& g) {
    ConvNextConfig c(g.config());
    std::string task = g.feature();
    VisionOnnxConfig oc(g, task,
                        {.num_channels = c.channels, .height = c.height, .width = c.width, .spatial_hidden = true});
    auto in = oc.declare_inputs();
    Weights base = Weights::base(g, "convnext", "embeddings.patch_embeddings.weight");
    auto [hidden, pooled] = convnext(base, c, in["pixel_values"]);

    if (task == "default") {
        oc.output("last_hidden_state", hidden);
        oc.output("pooler_output", pooled);
    } else if (task == "image-classification") {
        oc.output("logits",
                  linear(Weights(g, "classifier"), pooled, {.in = c.sizes.back(), .out = g.config().num_labels()}));
    }
}

}  // namespace

HFX_PLUGIN("convnext", "0.1.0") {
    reg.add({.model_type = "convnext",
             .features = {"default", "image-classification"},
             .reference = "transformers 4.40.2 models/convnext/modeling_convnext.py",
             .build = build,
             .tiny_config = R"({"model_type": "convnext", "image_size": 32, "patch_size": 4, "num_channels": 3,
                 "num_stages": 4, "depths": [1, 1, 2, 1], "hidden_sizes": [8, 16, 24, 32], "hidden_act": "gelu",
                 "layer_norm_eps": 1e-12, "layer_scale_init_value": 1e-6, "num_labels": 3})"});
}
