// CLIPTextModel (model type clip_text_model), following transformers 4.40.2
// src/transformers/models/clip/modeling_clip.py: CLIPTextTransformer (causal +
// padding masks, pre-LN layers, quick_gelu, final_layer_norm, eos pooling), from
// blocks/clip_text.h, which the full clip model shares.
#include <hfx/hfx.h>

using namespace hfx;

namespace {

void build(Graph& g) {
    ClipTextOptions o = ClipTextOptions::from_config(g.config());
    (void)g.config().has("projection_dim");  // CLIPTextModelWithProjection's only
    // optimum's CLIPTextOnnxConfig, with the attention_mask CLIPTextModel accepts.
    TextEncoderOnnxConfig oc(g, g.feature(), {.token_type_ids = false, .vocab_size = o.vocab});
    oc.atol_for_validation = 1e-4;
    auto in = oc.declare_inputs();
    Weights text = Weights::base(g, "text_model", "embeddings.token_embedding.weight");
    ClipTextOutputs out = clip_text_transformer(text, in["input_ids"], in["attention_mask"], o);
    oc.output("last_hidden_state", out.last_hidden_state);
    oc.output("pooler_output", out.pooler_output);
}

}  // namespace

HFX_PLUGIN("clip_text_model", "0.1.0") {
    reg.add({.model_type = "clip_text_model",
             .features = {"default"},
             .reference = "transformers 4.40.2 models/clip/modeling_clip.py (CLIPTextModel)",
             .build = build,
             .tiny_config = R"({"model_type": "clip_text_model", "vocab_size": 99, "hidden_size": 32,
                 "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 37, "hidden_act": "quick_gelu",
                 "max_position_embeddings": 32, "layer_norm_eps": 1e-05, "projection_dim": 24, "pad_token_id": 1,
                 "bos_token_id": 97, "eos_token_id": 98})"});
}
