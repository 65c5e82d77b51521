// Greedy decoding with an encoder-decoder export (seq2seq-lm, speech2seq-lm)
// in the hfexport runtime.
//
//   hfx::rt::Seq2SeqGenerator gen("out/");   // encoder_model.onnx + decoder_model.onnx
//                                            // (+ decoder_with_past_model.onnx), or model.onnx
//   auto r = gen.greedy({{5, 6, 7, 2}}, {.max_new_tokens = 8, .decoder_start_token_id = 2});
//   r.tokens[0]      // the 8 new token ids (the start token is not among them)
//   r.encoder_runs   // 1 in the split layouts
//
// The layouts, as the files allow:
//   split, with past  optimum's three files: the encoder runs once; the first
//                     step runs decoder_model.onnx on [decoder_start_token_id]
//                     and returns the whole cache (self-attention and the
//                     cross-attention keys/values of the encoder states); every
//                     later step runs decoder_with_past_model.onnx on the last
//                     token, fed the self-attention cache it returned and the
//                     cross-attention cache of the first step (computed once).
//   split, no past    encoder_model.onnx once, decoder_model.onnx on the whole
//                     decoder sequence each step.
//   single            transformers.onnx's model.onnx without past: encoder and
//                     decoder in one graph, so the encoder re-runs every step.
//                     A single model.onnx *with* past cannot start decoding: it
//                     takes the cross-attention cache as an input and has no
//                     graph that makes it (transformers.onnx's design); it is
//                     refused with a one-line error naming --split.
// Inputs follow transformers' generate(): encoder prompts right padded with
// pad_token_id and attention_mask 0 there (what HF tokenizers do for
// seq2seq), decoder_input_ids = [[decoder_start_token_id]] then the picks,
// no decoder attention mask (causal only), finished rows fed pad_token_id.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/generate.h"
#include "runtime/session.h"

namespace hfx::rt {

class Seq2SeqGenerator {
public:
    enum class Layout { split_with_past, split, single };

    // `path`: an export folder or one of its .onnx files.
    explicit Seq2SeqGenerator(const std::string& path, SessionOptions options = {});
    ~Seq2SeqGenerator();

    Layout layout() const { return layout_; }
    bool uses_cache() const { return layout_ == Layout::split_with_past; }
    bool takes_features() const { return features_; }      // input_features (Whisper) instead of input_ids
    const std::string& folder() const { return folder_; }  // where config.json may be
    static const char* layout_name(Layout l);

    // Text encoders: one prompt of encoder input_ids per row (right padded).
    GenerateResult greedy(const std::vector<std::vector<int64_t>>& prompts, const GenerateOptions& options);
    // Speech encoders: input_features [batch, num_mel_bins, frames].
    GenerateResult greedy(const Tensor& input_features, const GenerateOptions& options);

private:
    GenerateResult decode(const std::map<std::string, Tensor>& encoder_inputs, int64_t batch, const GenerateOptions& o);
    std::map<std::string, Tensor> pick_feeds(Session& s, const std::map<std::string, Tensor>& available) const;

    Layout layout_ = Layout::single;
    bool features_ = false;
    std::string folder_;
    std::unique_ptr<Session> encoder_, decoder_, with_past_, single_;
};

}  // namespace hfx::rt
