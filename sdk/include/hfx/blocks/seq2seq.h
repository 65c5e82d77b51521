// Encoder-decoder models (BART and kin, T5, Whisper): the OnnxConfig of every
// graph of an export, the two-part key/value cache, and the small pieces the
// families share (shift_tokens_right, positions, masks).
//
// One feature has several layouts, picked by Graph::component():
//   ""                  transformers.onnx's single model.onnx: encoder inputs +
//                       decoder_input_ids (+ past_key_values.* for -with-past)
//   "encoder"           optimum's encoder_model.onnx: input_ids, attention_mask
//                       (or input_features) -> last_hidden_state
//   "decoder"           optimum's decoder_model.onnx: input_ids (the decoder's),
//                       encoder_attention_mask, encoder_hidden_states ->
//                       logits (+ present.{i}.decoder|encoder.* for -with-past)
//   "decoder-with-past" decoder_with_past_model.onnx: input_ids,
//                       encoder_attention_mask and
//                       past_key_values.{i}.decoder|encoder.key|value ->
//                       logits, present.{i}.decoder.* (the encoder part of the
//                       cache does not change, so optimum neither returns it
//                       nor takes encoder_hidden_states)
#pragma once
#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "hfx/blocks/attention.h"
#include "hfx/onnx_config.h"

namespace hfx {

class Seq2SeqOnnxConfig : public OnnxSeq2SeqConfigWithPast {
public:
    struct Options {
        int64_t vocab_size = 2;
        int64_t decoder_vocab_size = -1;  // when the decoder has its own vocabulary (Marian); -1 = vocab_size
        int64_t hidden = -1;              // d_model: the width of encoder_hidden_states
        PastShape past;                   // decoder layers, heads, head_dim
        bool speech = false;  // input_features [batch, num_mel_bins, frames] instead of input_ids/attention_mask
        int64_t num_mel_bins = 80;
        int64_t frames = -1;          // a fixed number of frames (Whisper: 2 * max_source_positions)
        int64_t encoder_length = -1;  // a fixed encoder length (Whisper: max_source_positions); -1 = "encoder_sequence"
        int64_t ids_end = -1;         // >= 0: the dummy input_ids close each row with this token (BART-family
                                      // sequence-classification pools at the last eos; HF wants one per row)
    };
    Seq2SeqOnnxConfig(Graph& g, const std::string& feature, Options o)
        : OnnxSeq2SeqConfigWithPast(g, feature, o.past), o_(o), component_(g.component()) {
        const std::string& c = component_;
        if (c != "" && c != "encoder" && c != "decoder" && c != "decoder-with-past")
            throw Error("component '" + c + "': unknown (expected encoder, decoder or decoder-with-past)");
        if (!c.empty() && shifts_inputs())
            throw Error("component '" + c + "': feature '" + feature + "' has only the single-file layout");
        if (c == "decoder-with-past" && !use_past_)
            throw Error("component 'decoder-with-past': feature '" + feature + "' has no past");
    }

    const std::string& component() const { return component_; }
    // sequence-classification / question-answering: the model makes its decoder
    // inputs by shifting input_ids right; no decoder input, no cache.
    bool shifts_inputs() const { return task_ == "sequence-classification" || task_ == "question-answering"; }
    bool runs_encoder() const { return component_.empty() || component_ == "encoder"; }
    bool runs_decoder() const { return component_ != "encoder"; }
    bool past_in_inputs() const { return use_past_ && (component_.empty() || component_ == "decoder-with-past"); }
    bool present_in_outputs() const { return use_past_ && runs_decoder(); }
    bool encoder_present_in_outputs() const { return present_in_outputs() && component_ != "decoder-with-past"; }
    const Options& options() const { return o_; }

    std::vector<IO> inputs() const override {
        std::vector<IO> in;
        std::string enc = shifts_inputs() ? "sequence" : encoder_axis();
        if (runs_encoder()) {
            if (o_.speech) {
                std::string frames = o_.frames > 0 ? std::to_string(o_.frames) : "encoder_frames";
                in.push_back(IO{
                    "input_features", DT::f32, {"batch", std::to_string(o_.num_mel_bins), frames}, HFX_DUMMY_NORMAL});
            } else {
                in.push_back(
                    o_.ids_end >= 0
                        ? IO{"input_ids", DT::i64, {"batch", enc}, HFX_DUMMY_IDS_ENDING, 0, o_.vocab_size, o_.ids_end}
                        : IO{"input_ids", DT::i64, {"batch", enc}, HFX_DUMMY_IDS, 0, o_.vocab_size});
                in.push_back(IO{"attention_mask", DT::i64, {"batch", enc}, HFX_DUMMY_MASK});
            }
        }
        if (runs_decoder() && !shifts_inputs()) {
            IO ids{component_.empty() ? "decoder_input_ids" : "input_ids",
                   DT::i64,
                   {"batch", "decoder_sequence"},
                   HFX_DUMMY_IDS,
                   0,
                   o_.decoder_vocab_size > 0 ? o_.decoder_vocab_size : o_.vocab_size};
            in.push_back(ids);
            if (!component_.empty()) {
                if (!o_.speech)
                    in.push_back(IO{"encoder_attention_mask", DT::i64, {"batch", encoder_axis()}, HFX_DUMMY_MASK});
                // With the cross-attention cache as input the states are not needed (optimum's file has no such input).
                if (!past_in_inputs())
                    in.push_back(IO{"encoder_hidden_states",
                                    DT::f32,
                                    {"batch", encoder_axis(), std::to_string(o_.hidden)},
                                    HFX_DUMMY_NORMAL});
            }
            if (past_in_inputs()) fill_cache(in, true);
        }
        return in;
    }
    std::vector<IO> outputs() const override {
        if (component_ == "encoder") return {IO{"last_hidden_state", DT::f32, {"batch", encoder_axis(), "hidden"}}};
        if (shifts_inputs()) return OnnxConfig::common_outputs(task_);
        std::vector<IO> out;
        if (task_ == "default")
            out.push_back(IO{"last_hidden_state", DT::f32, {"batch", "decoder_sequence", "hidden"}});
        else out.push_back(IO{"logits", DT::f32, {"batch", "decoder_sequence", "vocab"}});
        if (component_.empty())
            out.push_back(IO{"encoder_last_hidden_state", DT::f32, {"batch", encoder_axis(), "hidden"}});
        if (present_in_outputs()) fill_cache(out, false);
        return out;
    }

private:
    std::string encoder_axis() const {
        return o_.encoder_length > 0 ? std::to_string(o_.encoder_length) : "encoder_sequence";
    }
    // past_key_values.{i}.decoder|encoder.key|value (inputs) or present.* (outputs):
    // [batch, heads, seq, head_dim]; a graph may decode several tokens per step.
    void fill_cache(std::vector<IO>& io, bool in) const {
        std::string self_seq = in                 ? "past_decoder_sequence"
                               : past_in_inputs() ? "past_decoder_sequence + decoder_sequence"
                                                  : "decoder_sequence";
        for (int64_t i = 0; i < past_.layers; ++i)
            for (std::string part : {"decoder", "encoder"}) {
                if (!in && part == "encoder" && !encoder_present_in_outputs()) continue;
                for (const char* kv : {"key", "value"})
                    io.push_back(IO{(in ? "past_key_values." : "present.") + std::to_string(i) + "." + part + "." + kv,
                                    DT::f32,
                                    {"batch", std::to_string(past_.kv_heads),
                                     part == "decoder" ? self_seq : encoder_axis(), std::to_string(past_.head_dim)},
                                    HFX_DUMMY_NORMAL});
            }
    }

    Options o_;
    std::string component_;
};

// The cache of one decoder graph: self-attention keys/values grow by the new
// tokens, cross-attention keys/values are computed once from the encoder
// states (or taken from the past).
class Seq2SeqCache {
public:
    Seq2SeqCache(Seq2SeqOnnxConfig& oc, std::map<std::string, Value>& inputs) : oc_(oc), in_(inputs) {}

    // Tokens decoded before this step, as an int64 scalar.
    Value past_length(Graph& g) const {
        if (!oc_.past_in_inputs()) return g.scalar_i64(0);
        return squeeze(dim(in_.at("past_key_values.0.decoder.key"), 2), {0});
    }
    // k, v: [batch, heads, new, head_dim] -> past ++ new, declared as present.{layer}.decoder.*
    std::pair<Value, Value> self_kv(int64_t layer, Value k, Value v) {
        std::string i = std::to_string(layer);
        if (oc_.past_in_inputs()) {
            k = concat({in_.at("past_key_values." + i + ".decoder.key"), k}, 2);
            v = concat({in_.at("past_key_values." + i + ".decoder.value"), v}, 2);
        }
        if (oc_.present_in_outputs()) {
            oc_.output("present." + i + ".decoder.key", k);
            oc_.output("present." + i + ".decoder.value", v);
        }
        return {k, v};
    }
    // Cross-attention keys/values [batch, heads, encoder_seq, head_dim]: the past
    // when the graph takes it, else project() of the encoder states.
    template <class Project>
    std::pair<Value, Value> cross_kv(int64_t layer, Project project) {
        std::string i = std::to_string(layer);
        if (oc_.past_in_inputs())
            return {in_.at("past_key_values." + i + ".encoder.key"), in_.at("past_key_values." + i + ".encoder.value")};
        auto [k, v] = project();
        if (oc_.encoder_present_in_outputs()) {
            oc_.output("present." + i + ".encoder.key", k);
            oc_.output("present." + i + ".encoder.value", v);
        }
        return {k, v};
    }

private:
    Seq2SeqOnnxConfig& oc_;
    std::map<std::string, Value>& in_;
};

// [1, 1, new, past+new] additive causal mask of a decoder step: query i (at
// absolute position past+i) sees keys 0..past+i (HF's _prepare_4d_causal_attention_mask
// without a decoder attention mask).
inline Value decoder_causal_bias(Value decoder_ids, Value past_length) {
    Graph& g = *decoder_ids.g;
    Value fresh = squeeze(dim(decoder_ids, 1), {0});
    Value total = past_length + fresh;
    Value q_pos = unsqueeze(range(past_length, total, g.scalar_i64(1)), {1});      // [new, 1]
    Value k_pos = unsqueeze(range(g.scalar_i64(0), total, g.scalar_i64(1)), {0});  // [1, total]
    return unsqueeze(where(greater(k_pos, q_pos), g.scalar(kMaskValue), g.scalar(0.f)), {0, 1});
}

// Positions past..past+new-1 (+ offset) of a decoder step or an encoder pass: [new]
inline Value step_positions(Value ids, Value past_length, int64_t offset = 0) {
    Graph& g = *ids.g;
    Value start = past_length + g.scalar_i64(offset);
    return range(start, start + squeeze(dim(ids, 1), {0}), g.scalar_i64(1));
}

// BART's shift_tokens_right: [start, ids[:, :-1]] with -100 replaced by pad.
inline Value shift_tokens_right(Value ids, int64_t pad_token_id, int64_t decoder_start_token_id) {
    Graph& g = *ids.g;
    Value first =
        expand(g.constant_i64({decoder_start_token_id}, {1, 1}), concat({dim(ids, 0), g.constant_i64({1})}, 0));
    Value shifted = concat({first, slice(ids, 1, 0, -1)}, 1);
    return where(equal(shifted, g.scalar_i64(-100)), g.scalar_i64(pad_token_id), shifted);
}

// mBART's shift_tokens_right: the last non-pad token of each row (eos or the
// language code) wraps around to position 0.
inline Value shift_tokens_right_wrap(Value ids, int64_t pad_token_id) {
    Graph& g = *ids.g;
    Value prev = where(equal(ids, g.scalar_i64(-100)), g.scalar_i64(pad_token_id), ids);
    Value count = reduce_sum(cast(logical_not(equal(prev, g.scalar_i64(pad_token_id))), DT::i64), {1});  // [b, 1]
    Value first = g.node("GatherElements", {prev, count - g.scalar_i64(1)}, {A::integer("axis", 1)});
    return concat({first, slice(prev, 1, 0, -1)}, 1);
}

// The index of the last `token` in each row: [b, s] -> [b] (BART-family
// classification pools the hidden state of the last eos). A row without it
// (transformers raises there) gets its last position, never another row's.
inline Value last_index_of(Value ids, int64_t token) {
    Graph& g = *ids.g;
    Value len = squeeze(dim(ids, 1), {0});
    Value pos = range(g.scalar_i64(0), len, g.scalar_i64(1));
    Value last = reduce_max(where(equal(ids, g.scalar_i64(token)), pos, g.scalar_i64(-1)), {1}, false);
    return binary("Mod", last + len, len);
}

// The fixed sinusoidal table of Marian / Pegasus (and Whisper's encoder):
// row p = [sin(p / 10000^(2(j/2)/dim)) for even j, cos(...) for odd j], computed
// in double precision as transformers' _init_weight does. [n, dim], row-major.
inline std::vector<float> sinusoidal_table(int64_t n, int64_t dim) {
    std::vector<float> out(size_t(n * dim));
    int64_t sentinel = dim % 2 == 0 ? dim / 2 : dim / 2 + 1;
    for (int64_t p = 0; p < n; ++p)
        for (int64_t j = 0; j < dim; ++j) {
            double angle = double(p) / std::pow(10000.0, 2.0 * double(j / 2) / double(dim));
            // even j -> sin columns [0, sentinel), odd j -> cos columns [sentinel, dim)
            if (j % 2 == 0) out[size_t(p * dim + j / 2)] = float(std::sin(angle));
            else out[size_t(p * dim + sentinel + j / 2)] = float(std::cos(angle));
        }
    return out;
}

// fairseq's sinusoidal positions (M2M100), computed in the graph from int64
// positions [...]: [sin(p f_0..f_{h-1}), cos(p f_0..f_{h-1})] with
// f_i = exp(-i ln(10000) / (h - 1)), h = dim/2, and zeros at padding_idx.
inline Value fairseq_sinusoidal(Value positions, int64_t dim, int64_t padding_idx) {
    Graph& g = *positions.g;
    int64_t half = dim / 2;
    double step = std::log(10000.0) / double(half - 1);
    std::vector<float> freqs;
    for (int64_t i = 0; i < half; ++i) freqs.push_back(std::exp(float(i) * -float(step)));  // float32, as torch
    Value angle = unsqueeze(cast(positions, DT::f32), {-1}) * g.constant_f32(freqs);
    std::vector<Value> parts = {sin(angle), cos(angle)};
    if (dim % 2) parts.push_back(unsqueeze(cast(positions, DT::f32), {-1}) * 0.f);
    Value emb = concat(parts, -1);
    return where(unsqueeze(equal(positions, g.scalar_i64(padding_idx)), {-1}), g.scalar(0.f), emb);
}

}  // namespace hfx
