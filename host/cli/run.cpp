// hfexport run MODEL.onnx --inputs IN.safetensors [--outputs OUT.safetensors]
//              [--random batch=2,sequence=16] [--save-inputs IN.safetensors]
//              [--repeat N] [--warmup N] [--json] [--threads N]
//              [--image FILE.png|jpg [--model-dir DIR] [--top N]]
// --image feeds pixel_values from a picture, preprocessed as the checkpoint's
// preprocessor_config.json says, and prints the top classes with config.json's id2label.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <optional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "checkpoint/safetensors_write.h"
#include "checkpoint/json_file.h"
#include "cli/common.h"
#include "cli/image.h"
#include "core/error.h"
#include "runtime/session.h"
#include "validate/dummy_inputs.h"

namespace hfx::cli {

namespace {

struct RunArgs {
    std::string model, inputs, outputs, random, save_inputs, image, model_dir;
    int repeat = 1, threads = 0, warmup = 0, top = 5;
    bool json = false;
};

DimBindings parse_random(const std::string& spec) {
    DimBindings dims = validation_dims();
    size_t start = 0;
    while (start < spec.size()) {
        size_t end = spec.find(',', start);
        if (end == std::string::npos) end = spec.size();
        std::string item = spec.substr(start, end - start);
        size_t eq = item.find('=');
        try {
            if (eq == std::string::npos) throw std::invalid_argument(item);
            size_t used = 0;
            int64_t size = std::stoll(item.substr(eq + 1), &used);
            if (size < 0 || used != item.size() - eq - 1) throw std::invalid_argument(item);  // "-3", "4x"
            dims[item.substr(0, eq)] = size;
        } catch (const std::exception&) {
            fail("option '--random': '", item, "' is not name=size (a non-negative integer)");
        }
        start = end + 1;
    }
    return dims;
}

// pixel_values [1, C, H, W] from an image file; H and W are the graph's fixed sizes.
std::map<std::string, Tensor> image_feeds(const rt::Session& session, const RunArgs& a) {
    std::map<std::string, Tensor> feeds;
    for (const ValueInfo& in : session.model().inputs) {
        if (in.name != "pixel_values")
            fail("input '", in.name, "': --image only fills pixel_values; use --inputs for this model");
        if (in.dims.size() != 4 || in.dims[1].size != 3 || in.dims[2].size < 1 || in.dims[3].size < 1)
            fail("input 'pixel_values': --image needs a fixed [batch, 3, height, width] input");
    }
    namespace fs = std::filesystem;
    std::string dir = a.model_dir.empty() ? fs::path(a.model).parent_path().string() : a.model_dir;
    std::string pre = (fs::path(dir.empty() ? "." : dir) / "preprocessor_config.json").string();
    std::optional<nlohmann::json> config;
    if (fs::exists(pre)) config = read_json_file("preprocessor config", pre);
    else if (!a.model_dir.empty())
        spdlog::warn("no preprocessor_config.json in '{}': resizing and rescaling only", dir);
    const ValueInfo& in = session.model().inputs.at(0);
    feeds["pixel_values"] =
        preprocess(load_image(a.image), config ? &*config : nullptr, in.dims[2].size, in.dims[3].size);
    return feeds;
}

// The top classes of logits [1, num_labels], named by config.json's id2label.
void print_top(const Tensor& logits, const RunArgs& a) {
    namespace fs = std::filesystem;
    std::string dir = a.model_dir.empty() ? fs::path(a.model).parent_path().string() : a.model_dir;
    std::string cfg_path = (fs::path(dir.empty() ? "." : dir) / "config.json").string();
    nlohmann::json id2label = nlohmann::json::object();
    if (fs::exists(cfg_path)) id2label = read_json_file("config", cfg_path).value("id2label", nlohmann::json::object());
    int64_t n = logits.shape.back();
    const float* p = logits.ptr<float>();
    float top = *std::max_element(p, p + n);
    double total = 0;
    for (int64_t k = 0; k < n; ++k) total += std::exp(double(p[k] - top));
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return p[x] > p[y]; });
    int64_t shown = std::min<int64_t>(n, a.top);
    std::cout << "top-" << shown << ":\n";
    for (int64_t r = 0; r < shown; ++r) {
        int64_t k = order[size_t(r)];
        std::string key = std::to_string(k);
        std::string label = id2label.contains(key) ? id2label[key].get<std::string>() : "LABEL_" + key;
        std::printf("  %lld. %s (%lld)  p=%.4f  logit=%.4f\n", (long long)(r + 1), label.c_str(), (long long)k,
                    std::exp(double(p[k] - top)) / total, double(p[k]));
    }
}

// A loaded file carries no dummy recipes: integer inputs get one from their name
// (masks all ones with right padding, token types 0, positions from the mask, ids
// in [0, 100), valid for any vocabulary a real model has).
Model with_recipes(const Model& m) {
    Model out;
    out.inputs = m.inputs;
    for (ValueInfo& in : out.inputs) {
        if (in.dummy.kind != DummySpec::None || in.dtype == DType::f32) continue;
        const std::string& n = in.name;
        if (n.find("mask") != std::string::npos) in.dummy = {DummySpec::Mask, 0, 0};
        else if (n.find("position") != std::string::npos) in.dummy = {DummySpec::Positions, 0, 0};
        else if (n.find("type") != std::string::npos) in.dummy = {DummySpec::Constant, 0, 0};
        else in.dummy = {DummySpec::Ids, 0, 100};
    }
    return out;
}

double checksum(const Tensor& t) {
    double s = 0;
    int64_t n = t.numel();
    if (t.dtype == DType::f32)
        for (int64_t k = 0; k < n; ++k) s += t.ptr<float>()[k];
    else if (t.dtype == DType::i64)
        for (int64_t k = 0; k < n; ++k) s += double(t.ptr<int64_t>()[k]);
    return s;
}

}  // namespace

void add_run_command(CLI::App& app, std::vector<std::pair<CLI::App*, Command>>& commands) {
    auto a = std::make_shared<RunArgs>();
    CLI::App* sub = app.add_subcommand("run", "Run an ONNX model in the hfexport runtime");
    sub->add_option("model", a->model, "The ONNX file")->required();
    sub->add_option("--inputs", a->inputs, "Inputs by name (.safetensors); other tensors are ignored");
    sub->add_option("--outputs", a->outputs, "Write every output here (.safetensors)");
    sub->add_option("--random", a->random, "Random inputs at these sizes, e.g. batch=2,sequence=16");
    sub->add_option("--save-inputs", a->save_inputs,
                    "Write the inputs used here (.safetensors), e.g. the --random ones");
    sub->add_option("--repeat", a->repeat, "Run N times and report timing")->check(CLI::PositiveNumber);
    sub->add_option("--warmup", a->warmup, "Untimed runs before the timed ones");
    sub->add_option("--threads", a->threads, "Threads (0 = all cores)");
    sub->add_flag("--json", a->json, "Timing as one JSON line (median_ms, min_ms)");
    sub->add_option("--image", a->image, "Feed pixel_values from a PNG or JPEG image (prints the top classes)");
    sub->add_option("--model-dir", a->model_dir,
                    "Checkpoint folder with preprocessor_config.json and config.json (default: the model's folder)");
    sub->add_option("--top", a->top, "Classes to print with --image")->check(CLI::PositiveNumber);
    commands.emplace_back(sub, [a] {
        if (int(!a->inputs.empty()) + int(!a->random.empty()) + int(!a->image.empty()) != 1)
            fail("option '--inputs': give --inputs FILE, --random SIZES or --image FILE");
        rt::SessionOptions so;
        so.threads = a->threads;
        rt::Session session(a->model, so);
        std::map<std::string, Tensor> feeds;
        if (!a->inputs.empty()) {
            std::map<std::string, Tensor> all = read_safetensors(a->inputs);
            for (const auto& name : session.input_names()) {
                if (!all.count(name)) fail("input '", name, "': missing from '", a->inputs, "'");
                feeds[name] = all.at(name);
            }
            for (const auto& [name, t] : all)
                if (!feeds.count(name))
                    spdlog::debug("ignoring tensor '{}' of {} (not a model input)", name, a->inputs);
        } else if (!a->image.empty()) {
            feeds = image_feeds(session, *a);
        } else {
            feeds = make_dummy_inputs(with_recipes(session.model()), parse_random(a->random));
        }
        if (!a->save_inputs.empty()) {
            std::vector<std::pair<std::string, Tensor>> list(feeds.begin(), feeds.end());
            write_safetensors(a->save_inputs, list);
        }
        std::vector<std::string> names = session.output_names();
        std::vector<double> ms;
        std::vector<Tensor> outs;
        for (int r = 0; r < a->warmup; ++r) session.run(names, feeds);
        for (int r = 0; r < a->repeat; ++r) {
            auto t0 = std::chrono::steady_clock::now();
            outs = session.run(names, feeds);
            ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        }
        if (!a->outputs.empty()) {
            std::vector<std::pair<std::string, Tensor>> list;
            for (size_t k = 0; k < names.size(); ++k) list.emplace_back(names[k], outs[k]);
            write_safetensors(a->outputs, list);
        }
        std::sort(ms.begin(), ms.end());
        double median = ms.size() % 2 ? ms[ms.size() / 2] : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
        if (a->json) {
            nlohmann::ordered_json j;
            j["runtime"] = "hfexport";
            j["model"] = a->model;
            j["median_ms"] = median;
            j["min_ms"] = ms.front();
            j["repeat"] = a->repeat;
            j["threads"] = a->threads;
            std::cout << j.dump() << "\n";
            return 0;
        }
        for (size_t k = 0; k < names.size(); ++k)
            if (!a->image.empty() && names[k] == "logits" && outs[k].rank() == 2) print_top(outs[k], *a);
        for (size_t k = 0; k < names.size(); ++k)
            std::cout << names[k] << " " << dtype_name(outs[k].dtype) << " " << shape_str(outs[k].shape) << " checksum "
                      << checksum(outs[k]) << "\n";
        if (a->repeat > 1)
            std::cout << "median " << median << " ms, min " << ms.front() << " ms over " << a->repeat << " runs\n";
        return 0;
    });
}

}  // namespace hfx::cli
