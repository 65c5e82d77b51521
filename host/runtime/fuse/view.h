// What the fusion passes ask of a plan while matching a pattern: who reads a value,
// whether a value is a float constant scalar or vector. Built once per pass.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "runtime/plan.h"

namespace hfx::rt::fuse {

struct View {
    explicit View(const Plan& plan);

    const Plan& plan;
    std::vector<std::vector<int>> readers;  // per slot: reading steps; -1 = a graph output (never fused away)
    std::vector<int> producer;              // per slot: the producing step or -1

    // Step i is an unfused ai.onnx `op`.
    bool op_is(int i, const char* op) const;
    // The only reader of `s`, if it is an `op` step; else -1.
    int only(int s, const char* op) const;
    // `s` is a float constant with one element and rank <= 1 (broadcasting it cannot change the
    // shape of a rank >= 1 operand); *rank1 is set when it is a [1] tensor.
    bool scalar(int s, float* v, bool* rank1 = nullptr) const;
    // The length of a 1-D float constant, or -1.
    int64_t vec(int s) const;
    // The other input of a two-input step, given one of them; else -1.
    int other(int i, int s) const;
    const Node& node(int i) const;
};

// A fused node for a run of steps starting at `first`: its name and op (for messages),
// domain kFusedDomain, inputs and outputs named by the slots.
std::shared_ptr<Node> fused_node(const Plan& plan, const Step& first, const std::vector<int>& in,
                                 const std::vector<int>& out);
// Turns `st` into a fused step of kernel `op` over `in` -> `out`, with attributes `attrs`.
void make_fused(Plan& plan, Step& st, const char* op, std::vector<int> in, std::vector<int> out, Attrs attrs);
// Removes the steps marked in `drop`, keeping the order of the others.
void drop_steps(Plan& plan, const std::vector<bool>& drop);

Attr int_attr(int64_t v);
Attr float_attr(float v);

}  // namespace hfx::rt::fuse
