// Swin Transformer, following transformers 4.40.2 src/transformers/models/swin/modeling_swin.py
// (SwinModel, SwinForImageClassification, SwinForMaskedImageModeling), eager attention.
// Window attention with relative position bias (the checkpoint's
// relative_position_index buffers, int64), shifted windows as torch.roll +
// an additive mask computed here (the spatial size is fixed by image_size),
// patch merging between stages.
#include <algorithm>
#include <cmath>

#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct SwinConfig {
    int64_t embed_dim, window, channels, height, width, patch, stride, stages;
    std::vector<int64_t> depths, heads;
    double eps, mlp_ratio;
    std::string act;
    bool qkv_bias;
    explicit SwinConfig(const Config& c)
        : embed_dim(c.i("embed_dim", 96)), window(c.i("window_size", 7)), channels(c.i("num_channels", 3)),
          patch(c.i("patch_size", 4)), stride(c.i("encoder_stride", 32)), stages(int64_t(c.size("depths"))),
          eps(c.f("layer_norm_eps", 1e-5)), mlp_ratio(c.f("mlp_ratio", 4.0)), act(c.s("hidden_act", "gelu")),
          qkv_bias(c.b("qkv_bias", true)) {
        std::tie(height, width) = config_pair(c, "image_size", 224);
        if (stages == 0 || int64_t(c.size("num_heads")) != stages)
            throw Error("config key 'depths': expected one depth and one num_heads entry per stage (config.json)");
        // SwinConfig's derived len(depths) and embed_dim * 2^(stages - 1): SwinModel recomputes both.
        for (const char* key : {"num_layers", "hidden_size"}) (void)c.has(key);
        for (int64_t i = 0; i < stages; ++i) {
            depths.push_back(c.i("depths/" + std::to_string(i)));
            heads.push_back(c.i("num_heads/" + std::to_string(i)));
        }
        // transformers adds a [1, patches + 1, C] table to [b, patches, C] here, which cannot broadcast.
        if (c.b("use_absolute_embeddings", false))
            throw Error(
                "config key 'use_absolute_embeddings': true is not supported (transformers cannot run it either)");
    }
};

// nn.functional.pad of [b, H, W, C] (or [b, C, H, W] with `channels_first`) on the bottom/right.
Value pad_bottom_right(Value x, int64_t bottom, int64_t right, bool channels_first = false) {
    if (bottom == 0 && right == 0) return x;
    Graph& g = *x.g;
    Ints pads = channels_first ? Ints{0, 0, 0, 0, 0, 0, bottom, right} : Ints{0, 0, 0, 0, 0, bottom, right, 0};
    return g.node("Pad", {x, g.constant_i64(pads)});
}

// SW-MSA mask of SwinLayer.get_attn_mask: [1, nW, 1, ws*ws, ws*ws], -100 between regions.
Value shifted_window_mask(Graph& g, int64_t h, int64_t w, int64_t ws, int64_t shift) {
    auto region = [&](int64_t i, int64_t size) { return i < size - ws ? 0 : i < size - shift ? 1 : 2; };
    int64_t n = ws * ws, nw = (h / ws) * (w / ws);
    std::vector<float> mask(size_t(nw * n * n));
    for (int64_t win = 0; win < nw; ++win) {
        int64_t y0 = (win / (w / ws)) * ws, x0 = (win % (w / ws)) * ws;
        auto id = [&](int64_t k) { return region(y0 + k / ws, h) * 3 + region(x0 + k % ws, w); };
        for (int64_t a = 0; a < n; ++a)
            for (int64_t b = 0; b < n; ++b) mask[size_t((win * n + a) * n + b)] = id(a) != id(b) ? -100.f : 0.f;
    }
    return g.constant_f32(mask, {1, nw, 1, n, n});
}

// SwinAttention on windows [b*nW, ws*ws, dim]; `mask` [1, nW, 1, n, n] for shifted windows.
struct WindowMask {
    Value mask;
    int64_t windows;
};
Value window_attention(const Weights& vb, const SwinConfig& c, Value x, int64_t dim, int64_t heads,
                       const std::optional<WindowMask>& mask) {
    auto s = vb.scope();
    Graph& g = vb.graph();
    Weights self = vb.pp("self");
    int64_t head_dim = dim / heads, n = c.window * c.window;
    Value ctx = [&] {
        auto s2 = self.scope();
        auto proj = [&](const char* name) {
            return split_heads(linear(self.pp(name), x, {.in = dim, .out = dim, .bias = c.qkv_bias}), heads, head_dim);
        };
        Value q = proj("query"), k = proj("key"), v = proj("value");
        Value scores = matmul(q, transpose(k, {0, 1, 3, 2})) / float(std::sqrt(double(head_dim)));
        Value table = self.get("relative_position_bias_table", {(2 * c.window - 1) * (2 * c.window - 1), heads});
        Value index = self.has("relative_position_index")
                          ? self.get("relative_position_index", {n, n})
                          : g.constant_i64(window_relative_position_index(c.window, c.window, false), {n, n});
        scores = scores + relative_position_bias(table, index);  // [b*nW, heads, n, n]
        if (mask) scores = reshape(reshape(scores, {-1, mask->windows, heads, n, n}) + mask->mask, {-1, heads, n, n});
        return merge_heads(matmul(softmax(scores, -1), v));
    }();
    return linear(vb.pp("output.dense"), ctx, {.in = dim, .out = dim});
}

// SwinLayer on x [b, h*w, dim]; shift = 0 or window/2 (odd blocks).
Value swin_layer(const Weights& vb, const SwinConfig& c, Value x, int64_t dim, int64_t heads, int64_t h, int64_t w,
                 int64_t shift) {
    auto s = vb.scope();
    Graph& g = vb.graph();
    int64_t ws = c.window;
    if (std::min(h, w) <= ws) {  // set_shift_and_window_size: one window covers the map
        shift = 0;
        ws = std::min(h, w);
        if (ws != c.window)
            throw Error("config key 'window_size': a " + std::to_string(h) + "x" + std::to_string(w) +
                        " feature map is smaller than the window (transformers cannot run it either)");
    }
    Value shortcut = x;
    Value hs = reshape(layer_norm(vb.pp("layernorm_before"), x, {.dim = dim, .eps = c.eps}), {0, h, w, dim});
    int64_t hp = (h + ws - 1) / ws * ws, wp = (w + ws - 1) / ws * ws;
    hs = pad_bottom_right(hs, hp - h, wp - w);
    hs = roll(roll(hs, -shift, 1, hp), -shift, 2, wp);  // cyclic shift
    std::optional<WindowMask> mask;
    if (shift > 0) mask = WindowMask{shifted_window_mask(g, hp, wp, ws, shift), (hp / ws) * (wp / ws)};
    Value attn = window_attention(vb.pp("attention"), c, window_partition(hs, hp, wp, dim, ws), dim, heads, mask);
    Value back = roll(roll(window_reverse(attn, hp, wp, dim, ws), shift, 1, hp), shift, 2, wp);
    if (hp != h || wp != w) back = slice(slice(back, 1, 0, h), 2, 0, w);
    x = shortcut + reshape(back, {0, h * w, dim});
    int64_t inter = int64_t(c.mlp_ratio * double(dim));
    Value up = activation(
        linear(vb.pp("intermediate.dense"), layer_norm(vb.pp("layernorm_after"), x, {.dim = dim, .eps = c.eps}),
               {.in = dim, .out = inter}),
        c.act);
    return x + linear(vb.pp("output.dense"), up, {.in = inter, .out = dim});
}

// SwinPatchMerging: [b, h*w, C] -> [b, ceil(h/2)*ceil(w/2), 2C].
Value patch_merging(const Weights& vb, Value x, int64_t dim, int64_t h, int64_t w) {
    auto s = vb.scope();
    Value m = pad_bottom_right(reshape(x, {0, h, w, dim}), h % 2, w % 2);
    auto part = [&](int64_t y0, int64_t x0) { return slice(slice(m, 1, y0, INT64_MAX, 2), 2, x0, INT64_MAX, 2); };
    Value merged = reshape(concat({part(0, 0), part(1, 0), part(0, 1), part(1, 1)}, -1), {0, -1, 4 * dim});
    merged = layer_norm(vb.pp("norm"), merged, {.dim = 4 * dim, .eps = 1e-5});  // nn.LayerNorm default eps
    return linear(vb.pp("reduction"), merged, {.in = 4 * dim, .out = 2 * dim, .bias = false});
}

// SwinModel up to the final LayerNorm: [b, tokens, num_features]; sets the final grid.
Value encoder(const Weights& base, const SwinConfig& c, Value pixels, int64_t& h, int64_t& w) {
    Weights emb = base.pp("embeddings");
    Value x = [&] {
        auto s = emb.scope();
        Value p = pad_bottom_right(pixels, (c.patch - c.height % c.patch) % c.patch,
                                   (c.patch - c.width % c.patch) % c.patch, true);
        Value t = map_to_tokens(conv2d(emb.pp("patch_embeddings.projection"), p,
                                       {.in = c.channels, .out = c.embed_dim, .kernel = c.patch, .stride = c.patch}));
        return layer_norm(emb.pp("norm"), t, {.dim = c.embed_dim, .eps = 1e-5});  // nn.LayerNorm default eps
    }();
    h = (c.height + c.patch - 1) / c.patch, w = (c.width + c.patch - 1) / c.patch;
    int64_t dim = c.embed_dim;
    for (int64_t i = 0; i < c.stages; ++i) {
        Weights stage = base.pp("encoder.layers", i);
        for (int64_t j = 0; j < c.depths[size_t(i)]; ++j)
            x = swin_layer(stage.pp("blocks", j), c, x, dim, c.heads[size_t(i)], h, w, j % 2 ? c.window / 2 : 0);
        if (i + 1 < c.stages) {
            x = patch_merging(stage.pp("downsample"), x, dim, h, w);
            h = (h + 1) / 2, w = (w + 1) / 2, dim *= 2;
        }
    }
    return layer_norm(base.pp("layernorm"), x, {.dim = dim, .eps = c.eps});
}

void build(Graph& g) {
    SwinConfig c(g.config());
    std::string task = g.feature();
    // The final grid: the patch grid, halved (rounded up) by each patch merging.
    int64_t gh = (c.height + c.patch - 1) / c.patch, gw = (c.width + c.patch - 1) / c.patch;
    for (int64_t i = 0; i + 1 < c.stages; ++i) gh = (gh + 1) / 2, gw = (gw + 1) / 2;
    VisionOnnxConfig oc(g, task,
                        {.num_channels = c.channels, .height = c.height, .width = c.width, .sequence = gh * gw});
    auto in = oc.declare_inputs();
    Weights base = Weights::base(g, "swin", "embeddings.patch_embeddings.projection.weight");
    int64_t h = 0, w = 0, features = c.embed_dim << (c.stages - 1);
    Value x = encoder(base, c, in["pixel_values"], h, w);  // x: [batch, h*w, features]
    // nn.AdaptiveAvgPool1d(1) over the tokens, flattened: [batch, features].
    auto pooled = [&] { return reduce_mean(x, {1}, false); };

    if (task == "default") {
        oc.output("last_hidden_state", x);
        oc.output("pooler_output", pooled());
    } else if (task == "image-classification") {
        oc.output("logits",
                  linear(Weights(g, "classifier"), pooled(), {.in = features, .out = g.config().num_labels()}));
    } else if (task == "masked-im") {
        int64_t side = int64_t(std::floor(std::sqrt(double(h * w))));  // HF assumes a square map
        Value map = tokens_to_map(x, features, side, side);
        oc.output("reconstruction", masked_im_decoder(Weights(g, "decoder"), map,
                                                      {.in = features,
                                                       .num_channels = c.channels,
                                                       .encoder_stride = c.stride,
                                                       .height = side,
                                                       .width = side}));
    }
}

}  // namespace

HFX_PLUGIN("swin", "0.1.0") {
    reg.add({.model_type = "swin",
             .features = {"default", "image-classification", "masked-im"},
             .reference = "transformers 4.40.2 models/swin/modeling_swin.py",
             .build = build,
             .tiny_config = R"({"model_type": "swin", "image_size": 32, "patch_size": 2, "num_channels": 3,
                 "embed_dim": 16, "depths": [1, 2, 1], "num_heads": [2, 2, 4], "window_size": 4, "mlp_ratio": 2.0,
                 "qkv_bias": true, "hidden_act": "gelu", "layer_norm_eps": 1e-5, "encoder_stride": 8,
                 "use_absolute_embeddings": false, "num_labels": 3})"});
}
