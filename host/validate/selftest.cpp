#include "validate/selftest.h"

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>

#include "checkpoint/checkpoint.h"
#include "core/error.h"
#include "export/exporter.h"
#include "onnx/load.h"
#include "runtime/session.h"
#include "torchscript/torchscript.h"
#include "validate/ort_oracle.h"
#include "validate/selftest_util.h"
#include "validate/validate.h"

namespace fs = std::filesystem;

namespace hfx {
namespace {

using selftest::Tensors;
using namespace selftest;

// One (model type, feature): prints a line per check and counts them.
struct Checks {
    std::ostream& out;
    std::string subject;
    SelftestSummary& sum;

    // `f` returns a detail for the PASS line or throws the failure message.
    bool run(const std::string& what, const std::function<std::string()>& f) {
        try {
            std::string detail = f();
            out << "PASS " << subject << ": " << what << (detail.empty() ? "" : " (" + detail + ")") << "\n";
            ++sum.passed;
            return true;
        } catch (const std::exception& e) {
            out << "FAIL " << subject << ": " << what << ": " << e.what() << "\n";
            ++sum.failed;
            return false;
        }
    }
    void skip(const std::string& what, const std::string& why) {
        out << "SKIP " << subject << ": " << what << " (" << why << ")\n";
    }
};

std::vector<std::string> output_names(const Model& m) {
    std::vector<std::string> names;
    for (const ValueInfo& o : m.outputs) names.push_back(o.name);
    return names;
}

Tensors run(rt::Session& s, const Model& m, const Tensors& feeds) {
    std::vector<std::string> names = output_names(m);
    std::vector<Tensor> values = s.run(names, feeds);
    Tensors out;
    for (size_t k = 0; k < names.size(); ++k) out[names[k]] = values[k];
    return out;
}

// Sequence lengths of every kind follow `seq`, so both runs change them all;
// every batch axis ("batch", CLIP's "text_batch" and "image_batch") follows `batch`.
DimBindings sizes(const Model& m, int64_t batch, int64_t seq, int64_t past) {
    DimBindings d = validation_dims();
    d["batch"] = batch, d["sequence"] = seq, d["past_sequence"] = past;
    d["encoder_sequence"] = seq, d["decoder_sequence"] = std::max<int64_t>(1, seq - 2),
    d["past_decoder_sequence"] = past;
    for (const auto* list : {&m.inputs, &m.outputs})
        for (const ValueInfo& v : *list)
            for (const Dim& dim : v.dims) {
                int64_t per = 0;
                if (is_batch_axis(dim, d, &per) && dim.symbol.find('*') == std::string::npos) d[dim.symbol] = batch;
            }
    return d;
}

std::string dims_text(const DimBindings& d, bool past) {
    return "batch=" + std::to_string(d.at("batch")) + ", sequence=" + std::to_string(d.at("sequence")) +
           (past ? ", past_sequence=" + std::to_string(d.at("past_sequence")) : "");
}

void expect_close(const std::string& what, const std::vector<std::string>& names, const Tensors& got,
                  const Tensors& ref, double atol, std::string* detail) {
    std::string worst;
    double d = max_diff(names, got, ref, &worst);
    if (!(d <= atol)) fail("output '", worst, "': ", what, " differ by ", fmt(d), " (atol ", fmt(atol), ")");
    *detail = "max diff " + fmt(d) + " in '" + worst + "'";
}

bool has_past(const Model& m) {
    for (const ValueInfo& v : m.inputs)
        if (v.name.rfind("past_key_values.", 0) == 0) return true;
    return false;
}

const ValueInfo* find_input(const Model& m, const std::string& name) {
    for (const ValueInfo& v : m.inputs)
        if (v.name == name) return &v;
    return nullptr;
}

// Sets every mask row of batch entry b to `lengths[b]` ones, then zeros, and
// recomputes positions (cumsum(mask) - 1, 1 on padding).
void set_lengths(const Model& m, Tensors& feeds, const std::vector<int64_t>& lengths) {
    for (const ValueInfo& in : m.inputs) {
        bool mask = in.dummy.kind == DummySpec::Mask, pos = in.dummy.kind == DummySpec::Positions;
        if (!mask && !pos) continue;
        Tensor& t = feeds.at(in.name);
        int64_t cols = t.shape.back(), rows = t.numel() / std::max<int64_t>(cols, 1);
        int64_t per_batch = rows / std::max<int64_t>(t.shape[0], 1);
        for (int64_t r = 0; r < rows; ++r) {
            int64_t valid = lengths[size_t(r / std::max<int64_t>(per_batch, 1))];
            for (int64_t c = 0; c < cols; ++c)
                t.ptr<int64_t>()[r * cols + c] = mask ? (c < valid) : (c < valid ? c : 1);
        }
    }
    // Ids closing each row with a token (eos) close the new rows.
    for (const ValueInfo& in : m.inputs)
        if (in.dummy.kind == DummySpec::IdsEnding)
            end_rows_with(feeds.at(in.name), feeds.count("attention_mask") ? &feeds.at("attention_mask") : nullptr,
                          in.dummy);
}

// The checks of one export; `dir` holds the tiny checkpoint and the files.
void check_one(const PluginRegistry& registry, const std::string& model_type, const std::string& feature,
               const SelftestOptions& o, const std::string& dir, Checks& c) {
    std::optional<Checkpoint> ckpt;
    bool ok = c.run("tiny checkpoint from tiny_config", [&] {
        TinyCheckpoint tiny = make_tiny(registry, model_type, feature);
        write_tiny(tiny, dir + "/checkpoint");
        ckpt = Checkpoint::open(dir + "/checkpoint");
        return std::to_string(tiny.tensors.size()) + " tensors, " + std::to_string(ckpt->num_parameters()) +
               " parameters";
    });
    if (!ok) return;
    BuiltModel built;
    std::string path = dir + "/default/model.onnx";
    ok = c.run("export passes the ONNX checker and shape inference", [&] {
        built = build_model(registry, *ckpt, feature);
        try {
            write_export(built, *ckpt, resolve_output_path(path), {});
        } catch (const Error& e) {
            // Shape inference names a node; a run of the graph names the output and its declared axes.
            try {
                DimBindings d = sizes(built.model, 2, 5, 3);
                rt::Session eager(eager_form(built.model), {});
                check_declared_shapes(built.model.outputs, run(eager, built.model, make_dummy_inputs(built.model, d)),
                                      d);
            } catch (const Error& why) {
                fail(why.what(), "; ", e.what());
            }
            throw;
        }
        return "opset " + std::to_string(built.opset);
    });
    if (!ok) return;
    const Model& m = built.model;
    bool past = has_past(m);
    double atol = built.atol;

    c.run("inputs and outputs carry their dynamic axes", [&] {
        Model file = load_onnx(path);
        auto same = [&](const std::vector<ValueInfo>& declared, const std::vector<ValueInfo>& written,
                        const char* kind) {
            for (const ValueInfo& d : declared) {
                const ValueInfo* w = nullptr;
                for (const ValueInfo& x : written)
                    if (x.name == d.name) w = &x;
                if (!w) fail(kind, " '", d.name, "': missing from the written file");
                if (axes_str(w->dims) != axes_str(d.dims))
                    fail(kind, " '", d.name, "': written with axes ", axes_str(w->dims), ", declared ",
                         axes_str(d.dims));
                if (d.dims.empty() || d.dims[0].size >= 0)
                    fail(kind, " '", d.name, "': axis 0 is fixed ", axes_str(d.dims), "; the batch must be dynamic");
                static const std::set<std::string> text = {"input_ids",         "attention_mask",
                                                           "token_type_ids",    "position_ids",
                                                           "decoder_input_ids", "decoder_attention_mask"};
                bool token = text.count(d.name) != 0;
                if (token && d.dims.back().size >= 0)
                    fail(kind, " '", d.name, "': last axis is fixed ", axes_str(d.dims),
                         "; the sequence must be dynamic");
            }
        };
        same(m.inputs, file.inputs, "input");
        same(m.outputs, file.outputs, "output");
        return std::to_string(m.inputs.size()) + " inputs, " + std::to_string(m.outputs.size()) + " outputs";
    });

    rt::SessionOptions so;
    so.threads = o.threads;
    std::optional<rt::Session> file, eager;
    ok = c.run("loads in the hfexport runtime", [&] {
        file.emplace(path, so);
        eager.emplace(eager_form(m), so);
        return std::string();
    });
    if (!ok) return;
    std::vector<std::string> names = output_names(m);

    for (DimBindings d : {sizes(m, 2, 5, 3), sizes(m, 3, 9, 4)}) {
        c.run("runs at " + dims_text(d, past) + ": output shapes as declared, runtime == eager reference", [&] {
            Tensors feeds = make_dummy_inputs(m, d);
            Tensors ours = run(*file, m, feeds), ref = run(*eager, m, feeds);
            check_declared_shapes(m.outputs, ref, d);
            check_declared_shapes(m.outputs, ours, d);
            std::string detail;
            expect_close("runtime and eager reference", names, ours, ref, atol, &detail);
            return detail;
        });
    }

    std::optional<OrtOracle> ort = o.use_ort ? find_ort() : std::nullopt;
    if (ort) {
        c.run("ONNX Runtime agrees with the hfexport runtime", [&] {
            DimBindings d = sizes(m, 3, 9, 4);
            Tensors feeds = make_dummy_inputs(m, d);
            Tensors ours = run(*file, m, feeds), theirs = ort_run(*ort, path, feeds, 1);
            std::string detail;
            expect_close("ONNX Runtime and hfexport runtime", names, theirs, ours, atol, &detail);
            return detail;
        });
    } else {
        c.skip("ONNX Runtime agrees with the hfexport runtime", o.use_ort ? "ONNX Runtime not found" : "--no-ort");
    }

    // The same graph as TorchScript, in libtorch, at two sizes (an empty past among them).
    if (torchscript_available()) {
        c.run("TorchScript export: libtorch == eager reference at two sizes", [&] {
            std::string pt = resolve_output_path(dir + "/torchscript", ".pt");
            write_export(built, *ckpt, pt, {.format = Format::torchscript});
            TorchScriptModule module(pt);
            std::string detail;
            for (DimBindings d : {sizes(m, 2, 5, 0), sizes(m, 3, 9, 4)}) {
                Tensors feeds = make_dummy_inputs(m, d);
                Tensors got = module.run(feeds, o.threads), ref = run(*eager, m, feeds);
                check_declared_shapes(m.outputs, got, d);
                expect_close("libtorch and eager reference", names, got, ref, atol, &detail);
            }
            return detail;
        });
    } else {
        c.skip("TorchScript export: libtorch == eager reference at two sizes", "the libtorch backend is not built");
    }

    // The axes the mask pads: its own last axis, and with a past of 0 the new tokens' too.
    const ValueInfo* mask_info = find_input(m, "attention_mask");
    std::string mask_axis = mask_info && !mask_info->dims.empty() ? mask_info->dims.back().symbol : "";
    auto padded_axis = [&](const Dim& d) {
        if (d.size >= 0) return false;
        if (d.symbol == mask_axis) return true;
        return mask_axis == "past_sequence + sequence" && (is_sequence_axis(d) || is_total_sequence_axis(d));
    };
    // A model whose HF forward() itself mixes padded positions in (ConvBERT's span convolution)
    // says so: g.set_property("padding_invariant", "false: <why>").
    auto declared = built.properties.find("padding_invariant");
    bool not_invariant = declared != built.properties.end() && declared->second.rfind("false", 0) == 0;
    if (!mask_axis.empty() && not_invariant)
        c.skip("padding invariance", "the plugin declares padding_invariant = " + declared->second);
    if (!mask_axis.empty() && !not_invariant) {
        c.run("padding invariance: a row alone == the same row right-padded next to a longer one", [&] {
            const int64_t full = 7, len = 4;
            DimBindings d = sizes(m, 2, full, 0);
            Tensors padded = make_dummy_inputs(m, d);
            set_lengths(m, padded, {full, len});
            // Padding holds the pad token, as a tokenizer leaves it (decoders pool at the last non-pad token).
            const nlohmann::json& cfg = ckpt->config();
            if (padded.count("input_ids") && cfg.contains("pad_token_id") && cfg["pad_token_id"].is_number_integer()) {
                Tensor& ids = padded.at("input_ids");
                int64_t cols = ids.shape.back(), rows = ids.numel() / std::max<int64_t>(cols, 1);
                int64_t per_batch = rows / std::max<int64_t>(ids.shape[0], 1);
                for (int64_t r = per_batch; r < rows && ids.dtype == DType::i64; ++r)
                    for (int64_t col = len; col < cols; ++col)
                        ids.ptr<int64_t>()[r * cols + col] = cfg["pad_token_id"].get<int64_t>();
            }
            Tensors alone;
            for (const ValueInfo& in : m.inputs) {
                Tensor t = batch_entries(padded.at(in.name), in.dims, d, 1, 2);
                for (size_t k = 0; k < in.dims.size(); ++k)
                    if (padded_axis(in.dims[k])) t = slice(t, int64_t(k), 0, len);
                alone[in.name] = t;
            }
            Tensors a = run(*file, m, padded), b = run(*file, m, alone);
            check_declared_shapes(m.outputs, a, d);
            Tensors row;
            for (const ValueInfo& out : m.outputs) {
                Tensor t = batch_entries(a.at(out.name), out.dims, d, 1, 2);
                for (size_t k = 0; k < out.dims.size(); ++k)
                    if (padded_axis(out.dims[k])) t = slice(t, int64_t(k), 0, len);
                row[out.name] = t;
            }
            std::string detail;
            expect_close("padded and unpadded runs (non-padded positions)", names, row, b, atol, &detail);
            return detail;
        });
    }

    // The stepwise check knows the decoder-only cache (past_sequence, fed "sequence" tokens).
    bool decoder_only_cache = false;
    for (const ValueInfo& in : m.inputs)
        for (const Dim& d : in.dims) decoder_only_cache = decoder_only_cache || d.symbol == "past_sequence";
    bool fed_tokens = false;
    for (const ValueInfo& in : m.inputs)
        for (const Dim& d : in.dims) fed_tokens = fed_tokens || is_sequence_axis(d);
    if (past && !(decoder_only_cache && fed_tokens))
        c.skip("with past: prefix + stepwise decoding == the full sequence",
               "only decoder-only caches [.., past_sequence, ..] are stepped; this cache has other axes");
    if (past && decoder_only_cache && fed_tokens) {
        c.run("with past: prefix + stepwise decoding (past 0, 2, 3, ...) == the full sequence", [&] {
            const int64_t total = 6, prefix = 2;
            DimBindings d = sizes(m, 2, total, 0);
            Tensors feeds = make_dummy_inputs(m, d);
            set_lengths(m, feeds, {total, total});
            Tensors full = run(*file, m, feeds);
            Tensors presents;  // past_key_values.* name -> last step's present
            int64_t begin = 0;
            Tensors last;
            while (begin < total) {
                int64_t end = begin == 0 ? prefix : begin + 1;
                Tensors step;
                for (const ValueInfo& in : m.inputs) {
                    if (in.name.rfind("past_key_values.", 0) == 0) {
                        step[in.name] = begin == 0 ? feeds.at(in.name) : presents.at(in.name);
                        continue;
                    }
                    Tensor t = feeds.at(in.name);
                    for (size_t k = 0; k < in.dims.size(); ++k) {
                        if (is_sequence_axis(in.dims[k])) t = slice(t, int64_t(k), begin, end);
                        else if (is_total_sequence_axis(in.dims[k])) t = slice(t, int64_t(k), 0, end);
                    }
                    step[in.name] = t;
                }
                last = run(*file, m, step);
                check_declared_shapes(m.outputs, last, sizes(m, 2, end - begin, begin));
                for (const ValueInfo& out : m.outputs) {
                    if (out.name.rfind("present.", 0) == 0)
                        presents["past_key_values." + out.name.substr(8)] = last.at(out.name);
                    for (size_t k = 0; k < out.dims.size(); ++k) {
                        if (!is_sequence_axis(out.dims[k])) continue;
                        Tensors want{{out.name, slice(full.at(out.name), int64_t(k), begin, end)}};
                        std::string worst;
                        double diff = max_diff({out.name}, last, want, &worst);
                        if (!(diff <= atol))
                            fail("output '", out.name, "': step [", std::to_string(begin), ", ", std::to_string(end),
                                 ") with past ", std::to_string(begin), " differs from the full-sequence run by ",
                                 fmt(diff), " (atol ", fmt(atol),
                                 "): the past fed back is not the sequence's "
                                 "continuation (past layout, concat axis, positions or mask offset)");
                    }
                }
                begin = end;
            }
            // The final cache equals the full run's, in the same order; so do pooled outputs.
            std::vector<std::string> cache, pooled;
            for (const ValueInfo& out : m.outputs) {
                bool seq = false;
                for (const Dim& dd : out.dims) seq = seq || is_sequence_axis(dd);
                if (out.name.rfind("present.", 0) == 0) cache.push_back(out.name);
                else if (!seq) pooled.push_back(out.name);
            }
            std::string detail, worst;
            double diff = max_diff(cache, last, full, &worst);
            if (!(diff <= atol))
                fail("output '", worst, "': the cache after stepwise decoding differs from the full run's by ",
                     fmt(diff), " (atol ", fmt(atol),
                     "): past and new entries are not concatenated in sequence order on the "
                     "declared past axis");
            if (!pooled.empty()) expect_close("the last step's and the full run's", pooled, last, full, atol, &detail);
            detail = "max diff " + fmt(diff) + " in the cache" + (detail.empty() ? "" : ", " + detail);
            return detail;
        });
    }

    c.run("opset 11 and opset 17 exports agree", [&] {
        std::string p11 = resolve_output_path(dir + "/opset11/model.onnx");
        std::string p17 = resolve_output_path(dir + "/opset17/model.onnx");
        write_export(built, *ckpt, p11, {.opset = 11});
        write_export(built, *ckpt, p17, {.opset = 17});
        rt::Session s11(p11, so), s17(p17, so);
        Tensors feeds = make_dummy_inputs(m, sizes(m, 2, 5, 3));
        Tensors a = run(s11, m, feeds), b = run(s17, m, feeds);
        std::string detail;
        expect_close("opset 11 and opset 17 outputs", names, a, b, atol, &detail);
        return detail;
    });
}

std::string make_temp_dir() {
    std::string tmpl = (fs::temp_directory_path() / "hfexport-selftest-XXXXXX").string();
    if (!mkdtemp(tmpl.data()))
        fail("selftest: cannot create a temporary folder under ", fs::temp_directory_path().string());
    return tmpl;
}

}  // namespace

SelftestSummary run_selftest(const PluginRegistry& registry, const SelftestOptions& o, std::ostream& out) {
    SelftestSummary sum;
    for (const std::string& p : o.load_problems) {
        out << "FAIL plugin loads: " << p << "\n";
        ++sum.failed;
    }
    std::vector<const ModelTypeEntry*> entries;
    if (o.model_types.empty()) {
        entries = registry.entries();
    } else {
        for (const std::string& t : o.model_types) {
            const ModelTypeEntry* e = registry.find(t);
            if (!e) fail("model type '", t, "': no plugin registers it (see `hfexport features`)");
            entries.push_back(e);
        }
    }
    std::string root = o.work_dir.empty() ? make_temp_dir() : o.work_dir;
    for (const ModelTypeEntry* e : entries) {
        std::vector<std::string> features = o.features.empty() ? e->features : o.features;
        for (const std::string& f : features) {
            Checks c{out, e->model_type + "/" + f, sum};
            if (!e->supports(f)) {
                c.run("feature is registered", [&]() -> std::string {
                    fail("feature '", f, "': not supported by model type '", e->model_type, "'");
                });
                continue;
            }
            std::string dir = root + "/" + e->model_type + "/" + f;
            check_one(registry, e->model_type, f, o, dir, c);
        }
    }
    if (o.work_dir.empty()) {
        std::error_code ec;
        fs::remove_all(root, ec);
    }
    out << sum.passed << " passed, " << sum.failed << " failed\n";
    return sum;
}

}  // namespace hfx
