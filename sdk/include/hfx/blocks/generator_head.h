// ELECTRA's generator head, which ConvBERT copies (transformers 4.40.2
// ElectraGeneratorPredictions / ConvBertGeneratorPredictions and the
// generator_lm_head of *ForMaskedLM).
#pragma once
#include "hfx/blocks/heads.h"
#include "hfx/blocks/nn.h"

namespace hfx {

struct GeneratorHeadOptions {
    int64_t hidden = -1, embed = -1, vocab = -1;  // embed: embedding_size, the width the head maps to
    double eps = 1e-12;
};

// generator_predictions (dense to embedding_size, gelu, LayerNorm), then
// generator_lm_head tied to the word embeddings when the checkpoint does not
// store it. Exact gelu whatever hidden_act says: both models hard-code "gelu".
// x [b, s, hidden] -> logits [b, s, vocab]
inline Value generator_head(const Weights& word_embeddings, Value x, const GeneratorHeadOptions& o) {
    Graph& g = word_embeddings.graph();
    Weights pred(g, "generator_predictions");
    Value h = [&] {
        auto s = pred.scope();
        Value d = activation(linear(pred.pp("dense"), x, {.in = o.hidden, .out = o.embed}), "gelu");
        return layer_norm(pred.pp("LayerNorm"), d, {.dim = o.embed, .eps = o.eps});
    }();
    Weights head(g, "generator_lm_head");
    Value logits = tied_lm_projection(head, word_embeddings, h, o.embed, o.vocab);
    return logits + head.get("bias", {o.vocab});
}

}  // namespace hfx
