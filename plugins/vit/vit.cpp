// ViT and DeiT, following transformers 4.40.2 src/transformers/models/vit/modeling_vit.py
// and models/deit/modeling_deit.py (ViTModel, DeiTModel and their task heads), eager attention.
// DeiT is ViT with a distillation token after [CLS]; its image-classification
// checkpoint is either DeiTForImageClassification (`classifier` on [CLS]) or
// DeiTForImageClassificationWithTeacher (mean of the [CLS] and distillation heads).
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct ViTConfig {
    int64_t hidden, heads, layers, inter, channels, height, width, patch, stride;
    double eps;
    std::string act;
    bool qkv_bias;
    explicit ViTConfig(const Config& c)
        : hidden(c.i("hidden_size")), heads(c.i("num_attention_heads")), layers(c.i("num_hidden_layers")),
          inter(c.i("intermediate_size")), channels(c.i("num_channels", 3)), patch(c.i("patch_size", 16)),
          stride(c.i("encoder_stride", 16)), eps(c.f("layer_norm_eps", 1e-12)), act(c.s("hidden_act", "gelu")),
          qkv_bias(c.b("qkv_bias", true)) {
        std::tie(height, width) = config_pair(c, "image_size", 224);
    }
    int64_t grid_h() const { return height / patch; }
    int64_t grid_w() const { return width / patch; }
};

// ViTEmbeddings / DeiTEmbeddings: patches (Conv, stride = patch), then
// [CLS] (and DeiT's distillation token) in front, plus absolute positions.
Value embeddings(const Weights& vb, const ViTConfig& c, Value pixels, bool distilled) {
    auto s = vb.scope();
    Value patches = map_to_tokens(conv2d(vb.pp("patch_embeddings.projection"), pixels,
                                         {.in = c.channels, .out = c.hidden, .kernel = c.patch, .stride = c.patch}));
    std::vector<Value> tokens = {vb.get("cls_token", {1, 1, c.hidden})};
    if (distilled) tokens.push_back(vb.get("distillation_token", {1, 1, c.hidden}));
    int64_t seq = c.grid_h() * c.grid_w() + int64_t(tokens.size());
    // x: [batch, tokens + patches, hidden]
    return prepend_tokens(patches, tokens) + vb.get("position_embeddings", {1, seq, c.hidden});
}

// ViTModel / DeiTModel up to the final LayerNorm: [batch, seq, hidden].
Value encoder(const Weights& base, const ViTConfig& c, Value pixels, bool distilled) {
    Value x = embeddings(base.pp("embeddings"), c, pixels, distilled);
    for (int64_t i = 0; i < c.layers; ++i)
        x = vit_layer(base.pp("encoder.layer", i), x,
                      {.hidden = c.hidden,
                       .heads = c.heads,
                       .intermediate = c.inter,
                       .eps = c.eps,
                       .act = c.act,
                       .qkv_bias = c.qkv_bias});
    return layer_norm(base.pp("layernorm"), x, {.dim = c.hidden, .eps = c.eps});
}

void build(Graph& g) {
    ViTConfig c(g.config());
    std::string task = g.feature(), type = g.model_type();
    bool distilled = type == "deit";
    int64_t tokens = c.grid_h() * c.grid_w() + (distilled ? 2 : 1);
    VisionOnnxConfig oc(g, task,
                        {.num_channels = c.channels, .height = c.height, .width = c.width, .sequence = tokens});
    auto in = oc.declare_inputs();
    Weights base = Weights::base(g, type, "embeddings.cls_token");
    Value x = encoder(base, c, in["pixel_values"], distilled);  // x: [batch, seq, hidden]

    if (task == "default") {
        oc.output("last_hidden_state", x);
        // ViTPooler: dense + tanh on the first token.
        Weights pooler = base.pp("pooler");
        auto s = pooler.scope();
        Value pooled = linear(pooler.pp("dense"), first_token(x), {.in = c.hidden, .out = c.hidden});
        oc.output("pooler_output", activation(pooled, g.config().s("pooler_act", "tanh")));
    } else if (task == "image-classification") {
        int64_t labels = g.config().num_labels();
        if (g.has_weight("cls_classifier.weight")) {  // DeiTForImageClassificationWithTeacher
            Value cls = linear(Weights(g, "cls_classifier"), first_token(x), {.in = c.hidden, .out = labels});
            Value dist = linear(Weights(g, "distillation_classifier"), gather(x, g.scalar_i64(1), 1),
                                {.in = c.hidden, .out = labels});
            oc.output("logits", (cls + dist) / 2.f);
        } else {
            oc.output("logits", linear(Weights(g, "classifier"), first_token(x), {.in = c.hidden, .out = labels}));
        }
    } else if (task == "masked-im") {
        // sequence_output[:, 1:] (DeiT: [:, 1:-1], as HF slices it), as a [b, hidden, h, w] map.
        Value patches = distilled ? slice(x, 1, 1, -1) : slice(x, 1, 1, INT64_MAX);
        Value map = tokens_to_map(patches, c.hidden, c.grid_h(), c.grid_w());
        oc.output("reconstruction", masked_im_decoder(Weights(g, "decoder"), map,
                                                      {.in = c.hidden,
                                                       .num_channels = c.channels,
                                                       .encoder_stride = c.stride,
                                                       .height = c.grid_h(),
                                                       .width = c.grid_w()}));
    }
}

const char* kTiny = R"({"model_type": "%s", "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
    "intermediate_size": 37, "hidden_act": "gelu", "image_size": 30, "patch_size": 2, "num_channels": 3,
    "encoder_stride": 2, "qkv_bias": true, "layer_norm_eps": 1e-12, "num_labels": 3})";

std::string tiny(const std::string& type) {
    std::string s = kTiny;
    return s.replace(s.find("%s"), 2, type);
}

}  // namespace

HFX_PLUGIN("vit", "0.1.0") {
    for (const char* type : {"vit", "deit"})
        reg.add({.model_type = type,
                 .features = {"default", "image-classification", "masked-im"},
                 .reference = std::string("transformers 4.40.2 models/") + type + "/modeling_" + type + ".py",
                 .build = build,
                 .tiny_config = tiny(type)});
}
