#include "torchscript/emit.h"

#include <algorithm>
#include <cctype>

#include "core/error.h"
#include "torchscript/emit_internal.h"

namespace hfx {
namespace {

bool is_keyword(const std::string& s) {
    static const std::set<std::string> words = {
        "False",    "None",   "True",  "and",  "as",     "assert",   "async",   "await", "break", "class",
        "continue", "def",    "del",   "elif", "else",   "except",   "finally", "for",   "from",  "global",
        "if",       "import", "in",    "is",   "lambda", "nonlocal", "not",     "or",    "pass",  "raise",
        "return",   "try",    "while", "with", "yield",  "self",     "torch",   "print"};
    return words.count(s) != 0;
}

bool is_word(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(),
                                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// "past_key_values.0.key" -> "past_key_values_0_key": a Python identifier.
std::string identifier(const std::string& name) {
    std::string s = name;
    for (char& c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) s = "_" + s;
    if (is_keyword(s)) s += "_";
    return s;
}

// self.bert.encoder.layer[0] is spelled getattr(self.bert.encoder.layer, "0") in TorchScript.
std::string attribute_expr(const std::vector<std::string>& path) {
    std::string expr = "self";
    for (const std::string& seg : path) {
        bool plain = is_word(seg) && !std::isdigit(static_cast<unsigned char>(seg[0])) && !is_keyword(seg);
        expr = plain ? expr + "." + seg : "getattr(" + expr + ", \"" + seg + "\")";
    }
    return expr;
}

std::vector<std::string> split_dots(const std::string& name) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
        size_t dot = name.find('.', start);
        parts.push_back(name.substr(start, dot - start));
        if (dot == std::string::npos) return parts;
        start = dot + 1;
    }
}

// Where each initializer lives in the module tree: weights under their
// Hugging Face names, anything else (plugin constants, names that are no
// module path, a path that clashes with another) under "constants".
std::vector<TorchScriptAttribute> place_attributes(const Model& model) {
    std::vector<TorchScriptAttribute> out;
    std::set<std::string> leaves, modules{"constants"};
    std::set<std::string> constant_names;
    auto path_key = [](const std::vector<std::string>& p, size_t n) {
        std::string s;
        for (size_t k = 0; k < n; ++k) s += p[k] + "\x1f";
        return s;
    };
    for (const auto& [name, tensor] : model.initializers) {
        std::vector<std::string> path = split_dots(name);
        bool ok = name.rfind("onnx::", 0) != 0 && std::all_of(path.begin(), path.end(), is_word);
        for (size_t n = 1; ok && n < path.size(); ++n) ok = !leaves.count(path_key(path, n));
        ok = ok && !modules.count(path_key(path, path.size())) && !leaves.count(path_key(path, path.size()));
        if (!ok) {
            std::string leaf = identifier(name.rfind("onnx::", 0) == 0 ? name.substr(6) : name);
            while (constant_names.count(leaf)) leaf += "_";
            constant_names.insert(leaf);
            out.push_back({name, {"constants", leaf}});
            continue;
        }
        for (size_t n = 1; n < path.size(); ++n) modules.insert(path_key(path, n));
        leaves.insert(path_key(path, path.size()));
        out.push_back({name, path});
    }
    return out;
}

void add_helper(const std::string& name, std::set<std::string>& done, std::string& source) {
    if (!done.insert(name).second) return;
    const ts::HelperSource& h = ts::helper_sources().at(name);
    for (const std::string& callee : h.calls) add_helper(callee, done, source);
    source += h.code;
}

}  // namespace

namespace ts {

std::string Emitter::in(const Node& n, size_t k) const {
    if (k >= n.inputs.size() || n.inputs[k].empty()) return "None";
    auto it = idents.find(n.inputs[k]);
    if (it == idents.end())
        fail("node '", n.name, "' (", n.op, "): input '", n.inputs[k], "' is not defined before it");
    return it->second;
}

std::string Emitter::helper(const std::string& name) {
    helpers.insert(name);
    return "self." + name;
}

}  // namespace ts

TorchScriptProgram emit_torchscript(const Model& model) {
    TorchScriptProgram p;
    ts::Emitter e;
    std::set<std::string> arguments;
    std::string signature = "def forward(self";
    for (const ValueInfo& in : model.inputs) {
        std::string arg = identifier(in.name);
        while (arguments.count(arg)) arg += "_";
        arguments.insert(arg);
        e.idents[in.name] = arg;
        p.input_names.push_back(in.name);
        p.argument_names.push_back(arg);
        signature += ", " + arg + ": Tensor";
    }
    signature += ") -> Tuple[";
    for (size_t k = 0; k < model.outputs.size(); ++k) signature += (k ? ", " : "") + std::string("Tensor");
    signature += "]:\n";

    // Every initializer a node reads becomes a local, read once from the module.
    std::set<std::string> used;
    for (const Node& n : model.nodes) used.insert(n.inputs.begin(), n.inputs.end());
    std::string body;
    p.attributes = place_attributes(model);
    for (const TorchScriptAttribute& a : p.attributes) {
        if (!used.count(a.initializer) || e.idents.count(a.initializer)) continue;
        std::string local = "_w" + std::to_string(e.idents.size());
        e.idents[a.initializer] = local;
        body += "    " + local + " = " + attribute_expr(a.path) + "\n";
    }

    const auto& table = ts::op_emitters();
    int temp = 0;
    for (const Node& n : model.nodes) {
        if (!n.domain.empty() && n.domain != "ai.onnx")
            fail("node '", n.name, "': op '", n.domain, "::", n.op, "' has no TorchScript translation");
        auto it = table.find(n.op);
        if (it == table.end()) fail("node '", n.name, "': op '", n.op, "' has no TorchScript translation");
        std::string rhs = it->second(e, n);
        if (n.op == "Split") {
            std::string list = "_t" + std::to_string(temp++);
            body += "    " + list + " = " + rhs + "\n";
            for (size_t k = 0; k < n.outputs.size(); ++k) {
                if (n.outputs[k].empty()) continue;
                std::string v = "_v" + std::to_string(e.idents.size());
                e.idents[n.outputs[k]] = v;
                body += "    " + v + " = " + list + "[" + std::to_string(k) + "]\n";
            }
            continue;
        }
        for (size_t k = 1; k < n.outputs.size(); ++k)
            if (!n.outputs[k].empty() && used.count(n.outputs[k]))
                fail("node '", n.name, "' (", n.op, "): output ", std::to_string(k),
                     " is not supported in TorchScript export");
        if (n.outputs.empty() || n.outputs[0].empty()) continue;
        std::string v = "_v" + std::to_string(e.idents.size());
        e.idents[n.outputs[0]] = v;
        body += "    " + v + " = " + rhs + "\n";
    }

    std::string ret = "    return (";
    for (const ValueInfo& out : model.outputs) {
        auto it = e.idents.find(out.name);
        if (it == e.idents.end()) fail("graph output '", out.name, "': no node produces it");
        ret += it->second + ", ";
        p.output_names.push_back(out.name);
    }
    ret += ")\n";

    p.source = signature + body + ret;
    std::set<std::string> done;
    for (const std::string& h : e.helpers) add_helper(h, done, p.source);
    return p;
}

std::vector<std::string> torchscript_ops() {
    std::vector<std::string> ops;
    for (const auto& [op, fn] : ts::op_emitters()) ops.push_back(op);
    return ops;
}

}  // namespace hfx
