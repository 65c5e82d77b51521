// CLIP, following transformers 4.40.2 src/transformers/models/clip/modeling_clip.py:
// CLIPVisionModel (model type clip_vision_model) and CLIPModel (clip), whose text
// tower is CLIPTextTransformer from blocks/clip_text.h (shared with clip_text_model).
#include <hfx/blocks/clip_text.h>
#include <hfx/hfx.h>

using namespace hfx;

namespace {

struct ClipVisionConfig {
    ClipEncoderOptions layer;
    int64_t layers, channels, height, width, patch;
    // CLIPVisionConfig with its defaults (a clip model's nested vision_config omits them).
    explicit ClipVisionConfig(const Config& c)
        : layer{.hidden = c.i("hidden_size", 768),
                .heads = c.i("num_attention_heads", 12),
                .inter = c.i("intermediate_size", 3072),
                .eps = c.f("layer_norm_eps", 1e-5),
                .act = c.s("hidden_act", "quick_gelu")},
          layers(c.i("num_hidden_layers", 12)), channels(c.i("num_channels", 3)), patch(c.i("patch_size", 32)) {
        std::tie(height, width) = config_pair(c, "image_size", 224);
    }
    int64_t seq() const { return (height / patch) * (width / patch) + 1; }
};

// CLIPVisionTransformer: last_hidden_state [b, seq, hidden] (no final norm) and
// pooled = post_layernorm(last_hidden_state[:, 0]).
std::pair<Value, Value> clip_vision_transformer(const Weights& vb, const ClipVisionConfig& c, Value pixels) {
    int64_t hidden = c.layer.hidden;
    Value x = [&] {  // CLIPVisionEmbeddings: [class] + patches (Conv without bias) + positions 0..seq-1
        Weights e = vb.pp("embeddings");
        auto s = e.scope();
        Value patches = map_to_tokens(
            conv2d(e.pp("patch_embedding"), pixels,
                   {.in = c.channels, .out = hidden, .kernel = c.patch, .stride = c.patch, .bias = false}));
        Value cls = reshape(e.get("class_embedding", {hidden}), {1, 1, hidden});
        return prepend_tokens(patches, {cls}) + e.pp("position_embedding").get("weight", {c.seq(), hidden});
    }();
    x = layer_norm(vb.pp("pre_layrnorm"), x, {.dim = hidden, .eps = c.layer.eps});
    Weights layers = vb.pp("encoder.layers");
    for (int64_t i = 0; i < c.layers; ++i) x = clip_encoder_layer(layers.pp(std::to_string(i)), x, {}, c.layer);
    Value pooled = layer_norm(vb.pp("post_layernorm"), first_token(x), {.dim = hidden, .eps = c.layer.eps});
    return {x, pooled};
}

void build_vision(Graph& g) {
    ClipVisionConfig c(g.config());
    (void)g.config().has("projection_dim");  // CLIPVisionModelWithProjection's only
    VisionOnnxConfig oc(g, g.feature(),
                        {.num_channels = c.channels, .height = c.height, .width = c.width, .sequence = c.seq()});
    auto in = oc.declare_inputs();
    Weights vision = Weights::base(g, "vision_model", "embeddings.class_embedding");
    auto [hidden, pooled] = clip_vision_transformer(vision, c, in["pixel_values"]);
    oc.output("last_hidden_state", hidden);
    oc.output("pooler_output", pooled);
}

// optimum's CLIPOnnxConfig: texts and images are batched separately.
class ClipOnnxConfig : public OnnxConfig {
public:
    ClipOnnxConfig(Graph& g, std::string task, int64_t vocab, const ClipVisionConfig& v)
        : OnnxConfig(g, std::move(task)), vocab_(vocab), channels_(v.channels), height_(v.height), width_(v.width) {}
    std::vector<IO> inputs() const override {
        return {IO{"input_ids", DT::i64, {"text_batch", "sequence"}, HFX_DUMMY_IDS, 0, vocab_},
                IO{"attention_mask", DT::i64, {"text_batch", "sequence"}, HFX_DUMMY_MASK},
                IO{"pixel_values",
                   DT::f32,
                   {"image_batch", std::to_string(channels_), std::to_string(height_), std::to_string(width_)},
                   HFX_DUMMY_NORMAL}};
    }
    std::vector<IO> outputs() const override {
        return {IO{"logits_per_image", DT::f32, {"image_batch", "text_batch"}},
                IO{"logits_per_text", DT::f32, {"text_batch", "image_batch"}},
                IO{"text_embeds", DT::f32, {"text_batch", "projection"}},
                IO{"image_embeds", DT::f32, {"image_batch", "projection"}}};
    }

private:
    int64_t vocab_, channels_, height_, width_;
};

// x / x.norm(dim=-1, keepdim=True)
Value l2_normalize(Value x) { return x / sqrt(reduce_sum(x * x, {-1}, true)); }

// CLIPModel.forward: projected, normalized embeddings and their scaled cosine similarities.
void build_clip(Graph& g) {
    Config cfg = g.config();
    ClipTextOptions text_cfg = ClipTextOptions::from_config(cfg.sub("text_config"));
    ClipVisionConfig vision_cfg(cfg.sub("vision_config"));
    int64_t proj = cfg.i("projection_dim", 512);
    // The sub-configs' projection_dim sizes CLIP{Text,Vision}ModelWithProjection only; CLIPModel uses the top-level one.
    for (const char* key : {"text_config/projection_dim", "vision_config/projection_dim"}) (void)cfg.has(key);
    ClipOnnxConfig oc(g, g.feature(), text_cfg.vocab, vision_cfg);
    auto in = oc.declare_inputs();

    auto [vision_hidden, vision_pooled] =
        clip_vision_transformer(Weights(g, "vision_model"), vision_cfg, in["pixel_values"]);
    ClipTextOutputs text =
        clip_text_transformer(Weights(g, "text_model"), in["input_ids"], in["attention_mask"], text_cfg);
    Value image_embeds = linear(Weights(g, "visual_projection"), vision_pooled,
                                {.in = vision_cfg.layer.hidden, .out = proj, .bias = false});
    Value text_embeds = linear(Weights(g, "text_projection"), text.pooler_output,
                               {.in = text_cfg.layer.hidden, .out = proj, .bias = false});
    image_embeds = l2_normalize(image_embeds);
    text_embeds = l2_normalize(text_embeds);
    Value logit_scale = exp(g.weight("logit_scale", {}));
    Value logits_per_text = matmul(text_embeds, transpose(image_embeds, {1, 0})) * logit_scale;
    oc.output("logits_per_image", transpose(logits_per_text, {1, 0}));
    oc.output("logits_per_text", logits_per_text);
    oc.output("text_embeds", text_embeds);
    oc.output("image_embeds", image_embeds);
}

const char* kVision = R"("hidden_size": 32, "intermediate_size": 37, "num_hidden_layers": 2, "num_attention_heads": 4,
    "image_size": 30, "patch_size": 2, "num_channels": 3, "hidden_act": "quick_gelu", "layer_norm_eps": 1e-05)";

}  // namespace

HFX_PLUGIN("clip", "0.1.0") {
    reg.add(
        {.model_type = "clip_vision_model",
         .features = {"default"},
         .reference = "transformers 4.40.2 models/clip/modeling_clip.py (CLIPVisionModel)",
         .build = build_vision,
         .tiny_config = std::string(R"({"model_type": "clip_vision_model", "projection_dim": 24, )") + kVision + "}"});
    reg.add(
        {.model_type = "clip",
         .features = {"default"},
         .reference = "transformers 4.40.2 models/clip/modeling_clip.py (CLIPModel)",
         .build = build_clip,
         .tiny_config = std::string(R"({"model_type": "clip", "projection_dim": 24, "logit_scale_init_value": 2.6592,
                 "text_config": {"vocab_size": 99, "hidden_size": 32, "intermediate_size": 37, "num_hidden_layers": 2,
                     "num_attention_heads": 4, "max_position_embeddings": 32, "hidden_act": "quick_gelu",
                     "layer_norm_eps": 1e-05, "projection_dim": 24, "pad_token_id": 1, "bos_token_id": 97,
                     "eos_token_id": 98},
                 "vision_config": {"projection_dim": 24, )") +
                        kVision + "}}"});
}
