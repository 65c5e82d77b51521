// Vision encoders: the OnnxConfig for pixel inputs and the pieces ViT-style
// models share (patch embedding as a strided Conv, CLS/distillation tokens,
// the pre-norm ViT layer, relative position bias tables, windows, the SimMIM
// masked-im decoder). The spatial size is fixed by the config's image_size
// (no position interpolation), so index tables and masks are export-time
// constants; only the batch is dynamic.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hfx/blocks/attention.h"
#include "hfx/blocks/nn.h"
#include "hfx/onnx_config.h"

namespace hfx {

// `image_size` / `patch_size` as HF configs write them: an int or [height, width].
inline std::pair<int64_t, int64_t> config_pair(const Config& c, const std::string& key, int64_t fallback) {
    if (c.size(key) == 2) return {c.i(key + "/0"), c.i(key + "/1")};
    int64_t v = c.i(key, fallback);
    return {v, v};
}

// pixel_values [batch, num_channels, height, width], height/width fixed to the
// config's image_size; outputs as transformers.onnx / optimum name them.
class VisionOnnxConfig : public OnnxConfig {
public:
    struct Options {
        int64_t num_channels = 3;
        int64_t height = 224, width = 224;
        bool pooler_output = true;    // `default` also returns pooler_output
        bool spatial_hidden = false;  // last_hidden_state is [batch, channels, height, width] (ConvNext)
        int64_t sequence = -1;        // tokens of last_hidden_state (fixed by image_size; -1: "sequence")
    };
    VisionOnnxConfig(Graph& g, std::string task, Options o) : OnnxConfig(g, std::move(task)), o_(o) {}

    std::vector<IO> inputs() const override {
        return {IO{"pixel_values",
                   DT::f32,
                   {"batch", std::to_string(o_.num_channels), std::to_string(o_.height), std::to_string(o_.width)},
                   HFX_DUMMY_NORMAL}};
    }
    std::vector<IO> outputs() const override {
        if (task_ != "default") return OnnxConfig::outputs();
        std::vector<IO> out = {
            o_.spatial_hidden ? IO{"last_hidden_state", DT::f32, {"batch", "num_channels", "height", "width"}}
                              : IO{"last_hidden_state",
                                   DT::f32,
                                   {"batch", o_.sequence >= 0 ? std::to_string(o_.sequence) : "sequence", "hidden"}}};
        if (o_.pooler_output) out.push_back(IO{"pooler_output", DT::f32, {"batch", "hidden"}});
        return out;
    }

private:
    Options o_;
};

struct Conv2dOptions {
    int64_t in = -1, out = -1;
    int64_t kernel = 1, stride = 1, padding = 0, groups = 1;
    int64_t kernel_w = -1, stride_w = -1;  // non-square kernels / strides (-1: as kernel / stride)
    bool bias = true;
};

// nn.Conv2d on [batch, in, height, width], weight [out, in/groups, kh, kw].
inline Value conv2d(const Weights& vb, Value x, Conv2dOptions o) {
    auto s = vb.scope();
    int64_t kw = o.kernel_w > 0 ? o.kernel_w : o.kernel, sw = o.stride_w > 0 ? o.stride_w : o.stride;
    int64_t per_group = o.in > 0 ? o.in / o.groups : -1;
    std::vector<Value> in = {x, vb.get("weight", {o.out, per_group, o.kernel, kw})};
    if (o.bias) in.push_back(vb.get("bias", {o.out}));
    return x.g->node("Conv", in,
                     {A::list("kernel_shape", {o.kernel, kw}), A::list("strides", {o.stride, sw}),
                      A::list("pads", {o.padding, o.padding, o.padding, o.padding}), A::list("dilations", {1, 1}),
                      A::integer("group", o.groups)});
}

// [batch, channels, h, w] -> [batch, h*w, channels]: x.flatten(2).transpose(1, 2)
inline Value map_to_tokens(Value x) { return transpose(reshape(x, {0, 0, -1}), {0, 2, 1}); }
// [batch, h*w, channels] -> [batch, channels, h, w]: x.permute(0, 2, 1).reshape(b, c, h, w)
inline Value tokens_to_map(Value x, int64_t channels, int64_t h, int64_t w) {
    return reshape(transpose(x, {0, 2, 1}), {0, channels, h, w});
}

// LayerNorm over the channel axis of [batch, channels, h, w] (ConvNext's
// channels_first LayerNorm): done channels-last so it stays one LayerNormalization.
inline Value layer_norm_channels_first(const Weights& vb, Value x, NormOptions o) {
    return transpose(layer_norm(vb, transpose(x, {0, 2, 3, 1}), o), {0, 3, 1, 2});
}

// A learned [1, 1, hidden] token per image, prepended in order: cat(tokens..., x) on axis 1.
inline Value prepend_tokens(Value x, const std::vector<Value>& tokens) {
    Graph& g = *x.g;
    Value shape = concat({dim(x, 0), g.constant_i64({1, 1})}, 0);  // [batch, 1, 1]
    std::vector<Value> parts;
    for (Value t : tokens) parts.push_back(expand(t, shape));
    parts.push_back(x);
    return concat(parts, 1);
}

// HF's relative_position_index of a wh x ww window: for tokens i, j the index
// of (dy, dx) = pos(i) - pos(j) in a (2wh-1) x (2ww-1) table. `cls_token` adds
// BEiT's row/column 0 (cls to token, token to cls, cls to cls: the last 3 entries).
inline std::vector<int64_t> window_relative_position_index(int64_t wh, int64_t ww, bool cls_token) {
    int64_t n = wh * ww, side = n + (cls_token ? 1 : 0), off = cls_token ? 1 : 0;
    int64_t num_relative = (2 * wh - 1) * (2 * ww - 1) + 3;
    std::vector<int64_t> index(size_t(side * side), 0);
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j) {
            int64_t dy = i / ww - j / ww + wh - 1, dx = i % ww - j % ww + ww - 1;
            index[size_t((i + off) * side + j + off)] = dy * (2 * ww - 1) + dx;
        }
    if (cls_token) {
        for (int64_t k = 0; k < side; ++k) index[size_t(k)] = num_relative - 3;         // row 0: cls -> token
        for (int64_t k = 0; k < side; ++k) index[size_t(k * side)] = num_relative - 2;  // column 0: token -> cls
        index[0] = num_relative - 1;
    }
    return index;
}

// table[index] as an additive attention bias: table [entries, heads], index
// [n, n] (int64) -> [1, heads, n, n].
inline Value relative_position_bias(Value table, Value index) {
    return unsqueeze(transpose(gather(table, index, 0), {2, 0, 1}), {0});
}

struct ViTLayerOptions {
    int64_t hidden = -1, heads = 1, intermediate = -1;
    double eps = 1e-12;
    std::string act = "gelu";
    bool qkv_bias = true;
    bool key_bias = true;       // BEiT: the key projection has no bias
    bool layer_scale = false;   // BEiT: lambda_1 / lambda_2 scale both branches
    std::optional<Value> bias;  // additive attention bias (relative position), [1|b, heads, s, s]
};

// ViTLayer / DeiTLayer / BeitLayer: pre-norm self-attention and MLP, each
// added back to the residual. Module names: attention.attention.{query,key,value},
// attention.output.dense, layernorm_before/after, intermediate.dense, output.dense.
inline Value vit_layer(const Weights& vb, Value x, const ViTLayerOptions& o) {
    auto s = vb.scope();
    int64_t head_dim = o.hidden / o.heads;
    Value h = layer_norm(vb.pp("layernorm_before"), x, {.dim = o.hidden, .eps = o.eps});
    Weights self = vb.pp("attention.attention");
    auto proj = [&](const char* name, bool bias) {
        return split_heads(linear(self.pp(name), h, {.in = o.hidden, .out = o.hidden, .bias = bias}), o.heads,
                           head_dim);
    };
    Value ctx = [&] {
        auto s2 = self.scope();
        Value q = proj("query", o.qkv_bias), k = proj("key", o.qkv_bias && o.key_bias), v = proj("value", o.qkv_bias);
        return merge_heads(scaled_dot_product(q, k, v, {.head_dim = head_dim, .bias = o.bias}));
    }();
    Value attn = linear(vb.pp("attention.output.dense"), ctx, {.in = o.hidden, .out = o.hidden});
    if (o.layer_scale) attn = vb.get("lambda_1", {o.hidden}) * attn;
    x = attn + x;
    Value up = activation(
        linear(vb.pp("intermediate.dense"), layer_norm(vb.pp("layernorm_after"), x, {.dim = o.hidden, .eps = o.eps}),
               {.in = o.hidden, .out = o.intermediate}),
        o.act);
    Value out = linear(vb.pp("output.dense"), up, {.in = o.intermediate, .out = o.hidden});
    if (o.layer_scale) out = vb.get("lambda_2", {o.hidden}) * out;
    return out + x;
}

// nn.PixelShuffle(r): [b, c*r*r, h, w] -> [b, c, h*r, w*r] (DepthToSpace CRD).
inline Value pixel_shuffle(Value x, int64_t channels, int64_t h, int64_t w, int64_t r) {
    Value y = reshape(x, {0, channels, r, r, h, w});
    return reshape(transpose(y, {0, 1, 4, 2, 5, 3}), {0, channels, h * r, w * r});
}

struct MaskedImDecoderOptions {
    int64_t in = -1;           // hidden channels of the feature map
    int64_t num_channels = 3;  // image channels
    int64_t encoder_stride = 16;
    int64_t height = -1, width = -1;  // feature map size
};

// SimMIM decoder (ViT/DeiT/Swin ForMaskedImageModeling): nn.Sequential(Conv2d 1x1
// to stride^2 * channels, PixelShuffle(stride)) under `decoder`: [b, in, h, w] -> reconstruction.
inline Value masked_im_decoder(const Weights& decoder, Value map, const MaskedImDecoderOptions& o) {
    int64_t r = o.encoder_stride;
    Value y = conv2d(decoder.pp("0"), map, {.in = o.in, .out = r * r * o.num_channels});
    auto s = decoder.pp("1").scope();
    return pixel_shuffle(y, o.num_channels, o.height, o.width, r);
}

// Swin's window_partition: [b, H, W, C] -> [b*nW, ws*ws, C] (windows in row-major order per image).
inline Value window_partition(Value x, int64_t height, int64_t width, int64_t channels, int64_t ws) {
    Value y = reshape(x, {0, height / ws, ws, width / ws, ws, channels});
    return reshape(transpose(y, {0, 1, 3, 2, 4, 5}), {-1, ws * ws, channels});
}

// Swin's window_reverse: [b*nW, ws*ws, C] -> [b, H, W, C].
inline Value window_reverse(Value windows, int64_t height, int64_t width, int64_t channels, int64_t ws) {
    Value y = reshape(windows, {-1, height / ws, width / ws, ws, ws, channels});
    return reshape(transpose(y, {0, 1, 3, 2, 4, 5}), {-1, height, width, channels});
}

// torch.roll(x, shift, axis) for a constant axis size: out[i] = x[(i - shift) mod size].
inline Value roll(Value x, int64_t shift, int64_t axis, int64_t size) {
    int64_t k = ((shift % size) + size) % size;
    if (k == 0) return x;
    return concat({slice(x, axis, size - k, size), slice(x, axis, 0, size - k)}, axis);
}

}  // namespace hfx
