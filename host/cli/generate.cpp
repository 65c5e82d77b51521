// hfexport generate MODEL_DIR_OR_ONNX --input-ids 1,2,3 [--max-new-tokens N]
//                   [--eos-token-id ID] [--pad-token-id ID] [--no-cache] [--threads N] [--json]
//                   encoder-decoder models: [--input-features IN.safetensors]
//                   [--decoder-start-token-id ID] [--forced-bos-token-id ID]
// Greedy decoding in the hfexport runtime. A checkpoint folder is first exported
// to a temporary folder: causal-lm-with-past (causal-lm with --no-cache), or for
// an encoder-decoder model seq2seq-lm-with-past / speech2seq-lm-with-past in
// optimum's split layout (the single seq2seq-lm model.onnx with --no-cache).
// Start / eos / pad tokens (and, for encoder-decoder models, the logits
// processors) come from the generation_config.json or config.json of the
// checkpoint or export folder, as in transformers; the options override them
// (--eos-token-id -1: never stop early).
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "checkpoint/checkpoint.h"
#include "checkpoint/safetensors_write.h"
#include "cli/common.h"
#include "core/error.h"
#include "export/exporter.h"
#include "onnx/load.h"
#include "export/split.h"
#include "hub/resolve.h"
#include "runtime/generate.h"
#include "runtime/generation_config.h"
#include "runtime/seq2seq_generate.h"

namespace hfx::cli {

namespace fs = std::filesystem;

namespace {

struct GenerateArgs {
    std::string model;
    std::vector<std::string> input_ids;  // one prompt per occurrence: "1,2,3"
    std::string input_features;          // .safetensors with input_features (speech encoders)
    int64_t max_new_tokens = 20, eos_token_id = -1, pad_token_id = 0;
    int64_t decoder_start_token_id = -1, forced_bos_token_id = -1;
    bool no_cache = false, json = false;
    int threads = 0;
    CLI::Option *eos = nullptr, *pad = nullptr, *start = nullptr, *forced_bos = nullptr;
};

std::vector<int64_t> parse_ids(const std::string& text) {
    std::vector<int64_t> ids;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find(',', start);
        if (end == std::string::npos) end = text.size();
        std::string item = text.substr(start, end - start);
        try {
            size_t used = 0;
            ids.push_back(std::stoll(item, &used));
            if (item.find_first_not_of(' ', used) != std::string::npos) throw std::invalid_argument(item);
        } catch (const std::exception&) {
            fail("option '--input-ids': '", item, "' is not a token id (expected e.g. 1,2,3)");
        }
        start = end + 1;
    }
    return ids;
}

// Removes the temporary export when generate ends.
struct TempExport {
    std::string dir;
    ~TempExport() {
        std::error_code ec;
        if (!dir.empty()) fs::remove_all(dir, ec);
    }
};

bool onnx_takes(const std::string& path, const std::string& input) {
    for (const ValueInfo& in : load_onnx(path).inputs)
        if (in.name == input) return true;
    return false;
}

// An export folder or .onnx file of an encoder-decoder model (split files, or decoder_input_ids).
bool is_seq2seq_export(const fs::path& p) {
    fs::path dir = fs::is_directory(p) ? p : p.parent_path();
    std::string name = p.filename().string();
    if (fs::is_directory(p) || name == "encoder_model.onnx" || name == "decoder_model.onnx" ||
        name == "decoder_with_past_model.onnx")
        if (fs::exists(dir / "encoder_model.onnx")) return true;
    fs::path file = fs::is_directory(p) ? dir / "model.onnx" : p;
    return fs::is_regular_file(file) && onnx_takes(file.string(), "decoder_input_ids");
}

void print(const rt::GenerateResult& r, bool json, bool cache, const char* layout) {
    if (json) {
        nlohmann::ordered_json j;
        j["tokens"] = r.tokens;
        j["steps"] = r.steps;
        j["seconds"] = r.seconds;
        j["tokens_per_second"] = r.tokens_per_second();
        j["cache"] = cache;
        if (layout) {
            j["encoder_runs"] = r.encoder_runs;
            j["layout"] = layout;
        }
        std::cout << j.dump() << "\n";
        return;
    }
    for (const auto& row : r.tokens) {
        for (size_t k = 0; k < row.size(); ++k) std::cout << (k ? " " : "") << row[k];
        std::cout << "\n";
    }
    std::cout << "generated " << r.tokens.size() << " sequence(s) in " << r.steps << " steps";
    if (layout) std::cout << " (" << r.encoder_runs << " encoder runs)";
    std::cout << ", " << r.seconds << " s, " << r.tokens_per_second() << " tokens/s ("
              << (cache ? "with KV cache" : "no cache") << ")\n";
}

// Encoder-decoder generation: `model` is an export folder or file (exported already).
// `config_dir`: the checkpoint it was exported from ("" = the export folder).
int generate_seq2seq(const GenerateArgs& a, const std::string& model, const std::string& config_dir,
                     const std::vector<std::vector<int64_t>>& prompts) {
    rt::SessionOptions so;
    so.threads = a.threads;
    rt::Seq2SeqGenerator gen(model, so);
    rt::GenerateOptions o{.max_new_tokens = a.max_new_tokens};
    std::string read = rt::read_generation_config(config_dir.empty() ? gen.folder() : config_dir, o);
    if (!read.empty()) spdlog::info("generation settings from {}", read);
    if (a.eos->count()) o.eos_token_id = a.eos_token_id, o.more_eos_token_ids.clear();
    if (a.pad->count()) o.pad_token_id = a.pad_token_id;
    if (a.forced_bos->count()) o.forced_bos_token_id = a.forced_bos_token_id;
    if (a.start->count()) o.decoder_start_token_id = a.decoder_start_token_id;
    if (o.decoder_start_token_id < 0)
        fail(
            "option '--decoder-start-token-id': required (no generation_config.json or config.json with "
            "decoder_start_token_id or bos_token_id beside '",
            a.model, "')");

    rt::GenerateResult r;
    if (gen.takes_features()) {
        if (a.input_features.empty())
            fail("option '--input-features': required (the encoder of '", a.model, "' takes input_features)");
        if (!prompts.empty())
            fail("option '--input-ids': the encoder of '", a.model, "' takes input_features, not input_ids");
        std::map<std::string, Tensor> all = read_safetensors(a.input_features);
        if (!all.count("input_features")) fail("file '", a.input_features, "': no tensor named input_features");
        r = gen.greedy(all.at("input_features"), o);
    } else {
        if (!a.input_features.empty())
            fail("option '--input-features': the encoder of '", a.model, "' takes input_ids");
        if (prompts.empty()) fail("option '--input-ids': required (the encoder prompt, e.g. --input-ids 5,6,7,2)");
        r = gen.greedy(prompts, o);
    }
    print(r, a.json, gen.uses_cache(), rt::Seq2SeqGenerator::layout_name(gen.layout()));
    return 0;
}

}  // namespace

void add_generate_command(CLI::App& app, std::vector<std::pair<CLI::App*, Command>>& commands) {
    auto a = std::make_shared<GenerateArgs>();
    CLI::App* sub = app.add_subcommand("generate", "Greedy decoding with the KV cache in the hfexport runtime");
    sub->add_option(
           "model", a->model,
           "A checkpoint folder or hub id ORG/NAME[@REVISION] (exported first), an export folder, or a .onnx file")
        ->required();
    sub->add_option("--input-ids", a->input_ids,
                    "Prompt token ids, e.g. 1,2,3 (repeat for a batch); the encoder's for seq2seq")
        ->allow_extra_args(false);
    sub->add_option("--input-features", a->input_features,
                    "Speech encoders (Whisper): a .safetensors file with input_features [batch, mel bins, frames]");
    sub->add_option("--max-new-tokens", a->max_new_tokens, "Tokens to generate per prompt")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    a->eos = sub->add_option("--eos-token-id", a->eos_token_id,
                             "Stop a prompt after this token (default: the model's config; -1: never)");
    a->pad =
        sub->add_option("--pad-token-id", a->pad_token_id,
                        "Token for padding shorter prompts and finished rows (default: the model's config, else 0)");
    a->start = sub->add_option("--decoder-start-token-id", a->decoder_start_token_id,
                               "Seq2seq: the decoder's first token (default: the model's config)");
    a->forced_bos =
        sub->add_option("--forced-bos-token-id", a->forced_bos_token_id,
                        "Seq2seq: force the first new token (mBART / M2M100 target language; default: the config's)");
    sub->add_flag(
        "--no-cache", a->no_cache,
        "Export causal-lm (seq2seq: the single seq2seq-lm model.onnx) and re-run the whole sequence each step");
    sub->add_option("--threads", a->threads, "Runtime threads (0 = all cores)");
    sub->add_flag("--json", a->json, "Print the result as one JSON line");
    commands.emplace_back(sub, [a] {
        std::vector<std::vector<int64_t>> prompts;
        for (const std::string& text : a->input_ids) prompts.push_back(parse_ids(text));
        a->model = hub::resolve_model(a->model);  // a hub id: its snapshot folder in the cache

        bool seq2seq_options = !a->input_features.empty() || a->start->count() || a->forced_bos->count();
        fs::path path = a->model;
        TempExport temp;
        auto make_temp = [&] {
            std::string tmpl = (fs::temp_directory_path() / "hfexport-generate-XXXXXX").string();
            if (!::mkdtemp(tmpl.data())) fail("folder '", tmpl, "': cannot create a temporary folder");
            temp.dir = tmpl;
        };
        std::string onnx = a->model;
        bool checkpoint =
            fs::is_directory(path) && !fs::exists(path / "model.onnx") && !fs::exists(path / "encoder_model.onnx");
        if (!checkpoint && is_seq2seq_export(path)) return generate_seq2seq(*a, a->model, "", prompts);
        if (!checkpoint && seq2seq_options)
            fail("model '", a->model,
                 "': not an encoder-decoder export (no decoder_input_ids input, no encoder_model.onnx); "
                 "--input-features, --decoder-start-token-id and --forced-bos-token-id are for seq2seq models");
        if (checkpoint) {
            auto registry = load_plugins();
            Checkpoint ckpt = Checkpoint::open(a->model);
            const nlohmann::json& cfg = ckpt.config();
            bool encoder_decoder = cfg.value("is_encoder_decoder", false);
            std::string model_type = cfg.value("model_type", "");
            const ModelTypeEntry* entry = registry->find(model_type);
            if (entry && (entry->supports("seq2seq-lm") || entry->supports("speech2seq-lm"))) encoder_decoder = true;
            if (!encoder_decoder && seq2seq_options)
                fail("model '", a->model, "': model type '", model_type,
                     "' is not an encoder-decoder model; "
                     "--input-features, --decoder-start-token-id and --forced-bos-token-id are for seq2seq models");
            make_temp();
            if (encoder_decoder) {
                if (!entry) fail("model type '", model_type, "': no plugin has it (see `hfexport features`)");
                std::string feature = entry->supports("speech2seq-lm") ? "speech2seq-lm" : "seq2seq-lm";
                if (!entry->supports(feature))
                    fail("model type '", model_type, "': has no seq2seq-lm feature to generate with");
                if (a->no_cache) {
                    write_export(build_model(*registry, ckpt, feature), ckpt, temp.dir + "/model.onnx", {});
                } else {
                    feature += "-with-past";
                    std::ostringstream log;
                    export_split(*registry, ckpt, feature, temp.dir, {}, log);
                }
                spdlog::info("exported {} ({}{}) to {}", a->model, feature, a->no_cache ? "" : ", split", temp.dir);
                return generate_seq2seq(*a, temp.dir, a->model, prompts);
            }
            std::string feature = a->no_cache ? "causal-lm" : "causal-lm-with-past";
            BuiltModel built = build_model(*registry, ckpt, feature);
            onnx = temp.dir + "/model.onnx";
            write_export(built, ckpt, onnx, {});
            spdlog::info("exported {} ({}) to {}", a->model, feature, onnx);
        } else if (fs::is_directory(path)) {
            onnx = (path / "model.onnx").string();
        }
        if (prompts.empty()) fail("option '--input-ids': required (the prompt, e.g. --input-ids 1,2,3)");
        rt::SessionOptions so;
        so.threads = a->threads;
        rt::Generator gen(onnx, so);
        // eos / pad as generate() takes them from the model's generation config; the options override.
        rt::GenerateOptions from_config;
        std::string config_dir = checkpoint || fs::is_directory(path) ? a->model : path.parent_path().string();
        std::string read = rt::read_generation_config(config_dir.empty() ? "." : config_dir, from_config);
        if (!read.empty()) spdlog::info("eos / pad tokens from {}", read);
        rt::GenerateOptions o{.max_new_tokens = a->max_new_tokens};
        o.eos_token_id = a->eos->count() ? a->eos_token_id : from_config.eos_token_id;
        if (!a->eos->count()) o.more_eos_token_ids = from_config.more_eos_token_ids;
        o.pad_token_id = a->pad->count() ? a->pad_token_id : std::max<int64_t>(from_config.pad_token_id, 0);
        rt::GenerateResult r = gen.greedy(prompts, o);
        print(r, a->json, gen.uses_cache(), nullptr);
        return 0;
    });
}

}  // namespace hfx::cli
