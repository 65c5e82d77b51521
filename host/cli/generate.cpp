// hfexport generate MODEL_DIR_OR_ONNX --input-ids 1,2,3 [--max-new-tokens N]
//                   [--eos-token-id ID] [--pad-token-id ID] [--no-cache] [--threads N] [--json]
// Greedy decoding in the hfexport runtime. A checkpoint folder is first exported
// (causal-lm-with-past, or causal-lm with --no-cache) to a temporary folder.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "checkpoint/checkpoint.h"
#include "cli/common.h"
#include "core/error.h"
#include "export/exporter.h"
#include "runtime/generate.h"

namespace hfx::cli {

namespace fs = std::filesystem;

namespace {

struct GenerateArgs {
    std::string model;
    std::vector<std::string> input_ids;  // one prompt per occurrence: "1,2,3"
    int64_t max_new_tokens = 20, eos_token_id = -1, pad_token_id = 0;
    bool no_cache = false, json = false;
    int threads = 0;
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

}  // namespace

void add_generate_command(CLI::App& app, std::vector<std::pair<CLI::App*, Command>>& commands) {
    auto a = std::make_shared<GenerateArgs>();
    CLI::App* sub = app.add_subcommand("generate", "Greedy decoding with the KV cache in the hfexport runtime");
    sub->add_option("model", a->model, "A checkpoint folder (exported first), an export folder, or a .onnx file")->required();
    sub->add_option("--input-ids", a->input_ids, "Prompt token ids, e.g. 1,2,3 (repeat for a batch)")
        ->required()
        ->allow_extra_args(false);
    sub->add_option("--max-new-tokens", a->max_new_tokens, "Tokens to generate per prompt")->capture_default_str()
        ->check(CLI::PositiveNumber);
    sub->add_option("--eos-token-id", a->eos_token_id, "Stop a prompt after this token (default: never)");
    sub->add_option("--pad-token-id", a->pad_token_id, "Token for left padding of shorter prompts")->capture_default_str();
    sub->add_flag("--no-cache", a->no_cache, "Export causal-lm and re-run the whole sequence each step");
    sub->add_option("--threads", a->threads, "Runtime threads (0 = all cores)");
    sub->add_flag("--json", a->json, "Print the result as one JSON line");
    commands.emplace_back(sub, [a] {
        std::vector<std::vector<int64_t>> prompts;
        for (const std::string& text : a->input_ids) prompts.push_back(parse_ids(text));

        TempExport temp;
        std::string onnx = a->model;
        if (fs::is_directory(a->model)) {
            if (fs::exists(fs::path(a->model) / "model.onnx")) {
                onnx = (fs::path(a->model) / "model.onnx").string();
            } else {
                std::string tmpl = (fs::temp_directory_path() / "hfexport-generate-XXXXXX").string();
                if (!::mkdtemp(tmpl.data())) fail("folder '", tmpl, "': cannot create a temporary folder");
                temp.dir = tmpl;
                auto registry = load_plugins();
                Checkpoint ckpt = Checkpoint::open(a->model);
                std::string feature = a->no_cache ? "causal-lm" : "causal-lm-with-past";
                BuiltModel built = build_model(*registry, ckpt, feature);
                onnx = temp.dir + "/model.onnx";
                write_export(built, ckpt, onnx, {});
                spdlog::info("exported {} ({}) to {}", a->model, feature, onnx);
            }
        }
        rt::SessionOptions so;
        so.threads = a->threads;
        rt::Generator gen(onnx, so);
        rt::GenerateResult r = gen.greedy(prompts, {.max_new_tokens = a->max_new_tokens,
                                                    .eos_token_id = a->eos_token_id,
                                                    .pad_token_id = a->pad_token_id});
        if (a->json) {
            nlohmann::ordered_json j;
            j["tokens"] = r.tokens;
            j["steps"] = r.steps;
            j["seconds"] = r.seconds;
            j["tokens_per_second"] = r.tokens_per_second();
            j["cache"] = gen.uses_cache();
            std::cout << j.dump() << "\n";
            return 0;
        }
        for (const auto& row : r.tokens) {
            for (size_t k = 0; k < row.size(); ++k) std::cout << (k ? " " : "") << row[k];
            std::cout << "\n";
        }
        std::cout << "generated " << r.tokens.size() << " sequence(s) in " << r.steps
                  << " steps, " << r.seconds << " s, " << r.tokens_per_second() << " tokens/s ("
                  << (gen.uses_cache() ? "with KV cache" : "no cache") << ")\n";
        return 0;
    });
}

}  // namespace hfx::cli
