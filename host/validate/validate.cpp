#include "validate/validate.h"

#include <cmath>
#include <set>
#include <sstream>
#include <spdlog/spdlog.h>

#include "checkpoint/safetensors_write.h"
#include "core/error.h"
#include "runtime/session.h"
#include "validate/file_check.h"
#include "validate/ort_oracle.h"
#include "validate/compare.h"
#include "validate/reference_match.h"

namespace hfx {
namespace {

std::string name_set(const std::vector<std::string>& names) {
    std::string s = "{";
    for (size_t k = 0; k < names.size(); ++k) s += (k ? ", '" : "'") + names[k] + "'";
    return s + "}";
}

std::string fmt(double v) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.3g", v);
    return buf;
}

}  // namespace

bool compare_outputs(const std::string& title, const std::vector<std::string>& names, const Outputs& got,
                     const Outputs& ref, double atol, std::ostream& log, const std::string& kind) {
    log << "Validating " << kind << " (" << title << ")...\n";
    bool ok = true;
    std::vector<std::string> missing;
    for (const auto& n : names)
        if (!got.count(n) || !ref.count(n)) missing.push_back(n);
    if (missing.empty()) {
        log << "\t-[\u2713] " << kind << " output names match reference model (" << name_set(names) << ")\n";
    } else {
        log << "\t-[x] " << kind << " output names do not match reference model: missing " << name_set(missing) << "\n";
        ok = false;
    }
    for (const auto& n : names) {
        if (!got.count(n) || !ref.count(n)) continue;
        const Tensor& a = got.at(n);
        const Tensor& b = ref.at(n);
        log << "\t- Validating " << kind << " output \"" << n << "\":\n";
        if (a.shape != b.shape) {
            log << "\t\t-[x] shape " << shape_str(a.shape) << " doesn't match " << shape_str(b.shape) << "\n";
            ok = false;
            continue;
        }
        log << "\t\t-[\u2713] " << shape_str(a.shape) << " matches " << shape_str(b.shape) << "\n";
        if (a.dtype != DType::f32 || b.dtype != DType::f32) {
            bool same = a.dtype == b.dtype && a.nbytes() == b.nbytes() && std::memcmp(a.data, b.data, a.nbytes()) == 0;
            log << (same ? "\t\t-[\u2713] all values equal\n" : "\t\t-[x] values differ\n");
            ok = ok && same;
            continue;
        }
        // NaN or Inf on either side is a failure: NaN == NaN would otherwise read as
        // "max diff: 0", and an all-NaN model would pass.
        int64_t bad_count = 0, first_bad = -1;
        for (int64_t k = 0, cnt = a.numel(); k < cnt; ++k)
            if (!std::isfinite(a.ptr<float>()[k]) || !std::isfinite(b.ptr<float>()[k]))
                if (bad_count++ == 0) first_bad = k;
        if (bad_count) {
            log << "\t\t-[x] " << bad_count << " of " << a.numel() << " values are NaN or Inf (first at flat index "
                << first_bad << ": got " << a.ptr<float>()[first_bad] << ", expected " << b.ptr<float>()[first_bad]
                << ")\n";
            ok = false;
            continue;
        }
        double worst = 0;
        int64_t at = 0;
        bool nan = false;
        for (int64_t k = 0, cnt = a.numel(); k < cnt; ++k) {
            float x = a.ptr<float>()[k], y = b.ptr<float>()[k];
            if (std::isnan(x) != std::isnan(y)) nan = true;
            double d = std::isnan(x) || std::isnan(y) ? 0 : std::fabs(double(x) - double(y));
            if (!std::isfinite(d)) d = (x == y) ? 0 : INFINITY;
            if (d > worst) worst = d, at = k;
        }
        if (worst <= atol && !nan) {
            log << "\t\t-[\u2713] all values close (atol: " << fmt(atol) << ", max diff: " << fmt(worst) << ")\n";
        } else {
            log << "\t\t-[x] values not close enough, max diff: " << fmt(worst) << " at flat index " << at << " (got "
                << a.ptr<float>()[at] << ", expected " << b.ptr<float>()[at] << "; atol: " << fmt(atol) << ")"
                << (nan ? " [NaN mismatch]" : "") << "\n";
            ok = false;
        }
    }
    return ok;
}

std::string dims_text(const DimBindings& dims, const Model& m) {
    std::set<std::string> used;
    for (const ValueInfo& in : m.inputs)
        for (const Dim& d : in.dims)
            if (d.size < 0 && dims.count(d.symbol)) used.insert(d.symbol);
    std::string s;
    for (const auto& u : used) s += (s.empty() ? "" : ", ") + u + "=" + std::to_string(dims.at(u));
    return s;
}

Outputs to_map(const std::vector<std::string>& names, const std::vector<Tensor>& values) {
    Outputs out;
    for (size_t k = 0; k < names.size(); ++k) out[names[k]] = values[k];
    return out;
}

Model eager_form(const Model& built) {
    Model m = built;
    m.opsets[""] = 17;
    for (auto& [n, t] : m.initializers)
        if (t.dtype == DType::f16 || t.dtype == DType::bf16 || t.dtype == DType::f64) t = t.to_f32();
    return m;
}

bool compare_with_reference_file(const ValidationOptions& o, const std::vector<std::string>& input_names,
                                 const std::vector<std::string>& output_names, const std::string& runner,
                                 const std::string& kind, std::ostream& log,
                                 const std::function<Outputs(const Outputs&)>& run) {
    if (o.reference_compared) *o.reference_compared = false;
    if (o.reference_file.empty()) return true;
    Outputs golden = read_safetensors(o.reference_file);
    std::string why;
    auto match = match_reference(golden, input_names, output_names, o.component, &why);
    if (!match) {
        if (o.component.empty()) fail("reference '", o.reference_file, "': ", why);
        log << "Reference file " << o.reference_file << " does not apply to the " << o.component << " graph (" << why
            << "); skipped\n";
        return true;
    }
    std::vector<std::string> present;
    Outputs ref;
    for (const auto& [out, ref_name] : match->output_names) present.push_back(out), ref[out] = golden.at(ref_name);
    bool ok = compare_outputs(runner + " vs reference file " + o.reference_file, present, run(match->feeds), ref,
                              o.atol, log, kind);
    if (o.reference_compared) *o.reference_compared = true;
    return ok;
}

bool validate_export(const Model& eager, const std::string& onnx_path, const ValidationOptions& o, std::ostream& log) {
    // Whether or not ONNX Runtime is here to load it, a file its loader would refuse is an error.
    check_onnx_file(onnx_path);
    log << "Checking ONNX model (onnx checker, full check with external data)...\n"
        << "\t-[\u2713] model and strict shape inference pass\n";
    rt::SessionOptions so;
    so.threads = o.threads;
    Outputs inputs = make_dummy_inputs(eager, o.dims);
    std::vector<std::string> names, input_names;
    Outputs ours;
    std::ostringstream reference_log;  // printed after the eager comparison, as before
    bool ok = true;
    // One session at a time: each holds float32 copies of the half-precision weights.
    {
        rt::Session file(onnx_path, so);
        names = file.output_names();
        for (const ValueInfo& v : file.model().inputs) input_names.push_back(v.name);
        ours = to_map(names, file.run(names, inputs));
        ok &= compare_with_reference_file(o, input_names, names, "hfexport runtime", "ONNX model", reference_log,
                                          [&](const Outputs& feeds) { return to_map(names, file.run(names, feeds)); });
    }
    Outputs expected;
    {
        rt::Session reference(eager_form(eager), so);
        expected = to_map(names, reference.run(names, inputs));
    }
    std::string dims = dims_text(o.dims, eager);
    ok &= compare_outputs("hfexport runtime vs eager reference, " + dims, names, ours, expected, o.atol, log);

    if (o.use_ort) {
        if (auto ort = find_ort()) {
            try {
                Outputs theirs = ort_run(*ort, onnx_path, inputs);
                ok &= compare_outputs("ONNX Runtime vs eager reference, " + dims, names, theirs, expected, o.atol, log);
            } catch (const Error& e) {
                log << "\t-[x] " << e.what() << "\n";
                ok = false;
            }
        } else {
            spdlog::debug("ONNX Runtime not found (node + onnxruntime-node); skipped that comparison");
        }
    }
    log << reference_log.str();
    return ok;
}

}  // namespace hfx
