// Shared by the TorchScript translator's files: the state of one translation
// and the per-op table (emit_ops.cpp) and helper methods (emit_helpers.cpp).
#pragma once
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/ir.h"

namespace hfx::ts {

struct Emitter {
    std::map<std::string, std::string> idents;  // graph value -> TorchScript expression
    std::set<std::string> helpers;              // helper methods the forward calls

    // The expression for input k of `n`, "None" when the optional input is omitted or absent.
    std::string in(const Node& n, size_t k) const;
    // Marks helper `name` as used and returns "self.<name>".
    std::string helper(const std::string& name);
};

// An op's translation: the right-hand side of `out = ...` (or, for several
// outputs, an expression of type List[Tensor] the caller unpacks).
using OpEmitter = std::function<std::string(Emitter&, const Node&)>;
const std::map<std::string, OpEmitter>& op_emitters();

// The source of helper method `name` (a `def name(self, ...)` block), and the
// helpers it calls itself.
struct HelperSource {
    std::string code;
    std::vector<std::string> calls;
};
const std::map<std::string, HelperSource>& helper_sources();

// Literals.
std::string int_list(const std::vector<int64_t>& v);        // "[1, 2]"
std::string float_literal(double v);                        // round-trips a float32
std::string torch_dtype(int64_t onnx_type, const Node& n);  // ScalarType code ("6" = float32); throws naming the node

}  // namespace hfx::ts
