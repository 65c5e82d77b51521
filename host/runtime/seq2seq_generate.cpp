#include "runtime/seq2seq_generate.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>

#include "core/error.h"

namespace fs = std::filesystem;

namespace hfx::rt {
namespace {

const std::string kPast = "past_key_values.", kPresent = "present.";
const char* const kEncoder = "encoder_model.onnx";
const char* const kDecoder = "decoder_model.onnx";
const char* const kWithPast = "decoder_with_past_model.onnx";

bool starts_with(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }

bool has(const std::vector<std::string>& names, const std::string& n) {
    return std::find(names.begin(), names.end(), n) != names.end();
}

// Every input of `s` is one generate() feeds: a name in `allowed`, or past_key_values.* when `past`.
void check_inputs(const Session& s, const std::string& file, const std::set<std::string>& allowed, bool past) {
    for (const std::string& n : s.input_names())
        if (!allowed.count(n) && !(past && starts_with(n, kPast)))
            fail("input '", n, "': not an input seq2seq generate() can feed (", file, ")");
}

void check_logits(const Session& s, const std::string& file) {
    if (!has(s.output_names(), "logits"))
        fail("model '", file, "': no 'logits' output (export the seq2seq-lm or speech2seq-lm feature)");
}

// The outputs a decoding step needs: logits and the cache.
std::vector<std::string> step_outputs(const Session& s) {
    std::vector<std::string> out = {"logits"};
    for (const std::string& n : s.output_names())
        if (starts_with(n, kPresent)) out.push_back(n);
    return out;
}

}  // namespace

const char* Seq2SeqGenerator::layout_name(Layout l) {
    switch (l) {
        case Layout::split_with_past:
            return "split, with past";
        case Layout::split:
            return "split, no past";
        case Layout::single:
            return "single model.onnx";
    }
    return "?";
}

Seq2SeqGenerator::~Seq2SeqGenerator() = default;

Seq2SeqGenerator::Seq2SeqGenerator(const std::string& path, SessionOptions options) {
    fs::path p = path;
    std::string name = p.filename().string();
    bool split_file = name == kEncoder || name == kDecoder || name == kWithPast;
    folder_ = fs::is_directory(p) ? p.string() : p.parent_path().string();
    fs::path dir = folder_;
    if (fs::is_directory(p) || split_file) {
        if (fs::exists(dir / kEncoder)) layout_ = fs::exists(dir / kWithPast) ? Layout::split_with_past : Layout::split;
        else if (fs::is_directory(p) && fs::exists(dir / "model.onnx")) p = dir / "model.onnx";
        else
            fail("model '", path, "': no model.onnx and no ", kEncoder, " + ", kDecoder,
                 " (an encoder-decoder export folder)");
    }

    if (layout_ == Layout::single) {
        std::string file = p.string();
        single_ = std::make_unique<Session>(file, options);
        std::vector<std::string> in = single_->input_names();
        if (!has(in, "decoder_input_ids"))
            fail("model '", file,
                 "': not an encoder-decoder export (no decoder_input_ids input; export seq2seq-lm or "
                 "speech2seq-lm, or give the folder of a --split export)");
        for (const std::string& n : in)
            if (starts_with(n, kPast))
                fail("model '", file,
                     "': a single-file -with-past export takes the cross-attention cache as an input and "
                     "cannot take the first step; export with --split (optimum's layout) or without -with-past");
        check_inputs(*single_, file, {"input_ids", "attention_mask", "input_features", "decoder_input_ids"}, false);
        check_logits(*single_, file);
        features_ = has(in, "input_features");
        return;
    }

    std::string enc = (dir / kEncoder).string(), dec = (dir / kDecoder).string();
    if (!fs::exists(dec)) fail("model '", folder_, "': has ", kEncoder, " but no ", kDecoder);
    encoder_ = std::make_unique<Session>(enc, options);
    check_inputs(*encoder_, enc, {"input_ids", "attention_mask", "input_features"}, false);
    if (!has(encoder_->output_names(), "last_hidden_state")) fail("model '", enc, "': no 'last_hidden_state' output");
    features_ = has(encoder_->input_names(), "input_features");
    decoder_ = std::make_unique<Session>(dec, options);
    check_inputs(*decoder_, dec, {"input_ids", "encoder_hidden_states", "encoder_attention_mask"}, false);
    check_logits(*decoder_, dec);
    if (layout_ != Layout::split_with_past) return;

    std::string wp = (dir / kWithPast).string();
    with_past_ = std::make_unique<Session>(wp, options);
    check_inputs(*with_past_, wp, {"input_ids", "encoder_attention_mask"}, true);
    check_logits(*with_past_, wp);
    // Every cache input comes from the first step's present.* (or the previous step's).
    std::vector<std::string> made = decoder_->output_names();
    for (const std::string& n : with_past_->input_names())
        if (starts_with(n, kPast) && !has(made, kPresent + n.substr(kPast.size())))
            fail("input '", n, "': ", kDecoder, " has no matching '", kPresent, n.substr(kPast.size()), "' output (",
                 wp, ")");
}

std::map<std::string, Tensor> Seq2SeqGenerator::pick_feeds(Session& s,
                                                           const std::map<std::string, Tensor>& available) const {
    std::map<std::string, Tensor> feeds;
    for (const std::string& n : s.input_names()) {
        auto it = available.find(n);
        if (it == available.end()) fail("input '", n, "': no value to feed (", layout_name(layout_), " layout)");
        feeds[n] = it->second;
    }
    return feeds;
}

GenerateResult Seq2SeqGenerator::greedy(const std::vector<std::vector<int64_t>>& prompts, const GenerateOptions& o) {
    if (features_) fail("model '", folder_, "': the encoder takes input_features (a speech model), not input_ids");
    PaddedBatch batch = pad_prompts(prompts, o.pad_token_id, PadSide::right);
    int64_t b = batch.input_ids.shape[0];
    return decode({{"input_ids", batch.input_ids}, {"attention_mask", batch.attention_mask}}, b, o);
}

GenerateResult Seq2SeqGenerator::greedy(const Tensor& input_features, const GenerateOptions& o) {
    if (!features_) fail("model '", folder_, "': the encoder takes input_ids, not input_features");
    if (input_features.dtype != DType::f32 || input_features.shape.size() != 3)
        fail("tensor 'input_features': expected float [batch, num_mel_bins, frames], got ",
             shape_str(input_features.shape));
    return decode({{"input_features", input_features}}, input_features.shape[0], o);
}

GenerateResult Seq2SeqGenerator::decode(const std::map<std::string, Tensor>& encoder_inputs, int64_t b,
                                        const GenerateOptions& o) {
    if (o.decoder_start_token_id < 0)
        fail(
            "option 'decoder_start_token_id': not set (the model's config.json has no decoder_start_token_id or "
            "bos_token_id; give --decoder-start-token-id)");
    GenerateResult result;
    auto t0 = std::chrono::steady_clock::now();
    Tensor decoder_ids = Tensor::from(DType::i64, {b, 1}, std::vector<int64_t>(size_t(b), o.decoder_start_token_id));
    Tensor fresh = decoder_ids;  // what a step with the cache sees

    // The decoder graphs' view of the encoder: its states (computed once) and its mask.
    std::map<std::string, Tensor> common;
    if (layout_ != Layout::single) {
        common["encoder_hidden_states"] =
            encoder_->run({"last_hidden_state"}, pick_feeds(*encoder_, encoder_inputs))[0];
        ++result.encoder_runs;
        if (encoder_inputs.count("attention_mask"))
            common["encoder_attention_mask"] = encoder_inputs.at("attention_mask");
    }

    GreedyRows rows(b, 1, o);
    std::map<std::string, Tensor> past;  // past_key_values.{i}.decoder|encoder.*
    for (int64_t step = 0; step < o.max_new_tokens; ++step) {
        Session* s = nullptr;
        std::map<std::string, Tensor> available;
        if (layout_ == Layout::single) {
            s = single_.get();
            available = encoder_inputs;
            available["decoder_input_ids"] = decoder_ids;
            ++result.encoder_runs;  // the encoder is part of the graph
        } else if (layout_ == Layout::split || step == 0) {
            s = decoder_.get();
            available = common;
            available["input_ids"] = decoder_ids;
        } else {
            s = with_past_.get();
            available = common;
            available.insert(past.begin(), past.end());
            available["input_ids"] = fresh;
        }
        std::vector<std::string> names = step_outputs(*s);
        std::vector<Tensor> outs = s->run(names, pick_feeds(*s, available));
        ++result.steps;
        std::vector<int64_t> next = rows.pick(outs[0]);
        // The first step returns both parts of the cache; later steps only the self-attention part,
        // so the cross-attention keys/values of the first step stay.
        if (layout_ == Layout::split_with_past)
            for (size_t k = 1; k < names.size(); ++k) past[kPast + names[k].substr(kPresent.size())] = outs[k];
        decoder_ids = append_column(decoder_ids, next);
        fresh = Tensor::from(DType::i64, {b, 1}, next);
        if (rows.all_done()) break;
    }
    result.tokens = std::move(rows.tokens());
    result.logits = std::move(rows.logits());
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return result;
}

}  // namespace hfx::rt
