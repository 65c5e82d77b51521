// Session: runs an ONNX model on the CPU, in the spirit of ONNX Runtime's
// InferenceSession(path).run(output_names, feeds).
//
//   hfx::rt::Session s("model.onnx");
//   auto outs = s.run({"logits"}, {{"input_ids", ids}, {"attention_mask", mask}});
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/ir.h"
#include "core/tensor.h"
#include "runtime/value.h"

namespace hfx::rt {

struct SessionOptions {
    int threads = 0;  // 0 = hardware concurrency
};

class Session {
public:
    // Loads an ONNX file (external data too); initializers stay in the mapped file.
    explicit Session(const std::string& onnx_path, SessionOptions options = {});
    // Runs an in-memory model as is (the eager reference of the validator).
    explicit Session(Model model, SessionOptions options = {});
    ~Session();
    Session(Session&&) noexcept;

    // Empty `output_names` = all graph outputs in graph order. Throws hfx::Error
    // naming the input or node on a missing input, a bad shape or a failing op.
    std::vector<Tensor> run(const std::vector<std::string>& output_names, const std::map<std::string, Tensor>& feeds);

    // The same with tensor or sequence values (graphs with seq(tensor) inputs or outputs).
    std::vector<Value> run_values(const std::vector<std::string>& output_names,
                                  const std::map<std::string, Value>& feeds);

    const Model& model() const;
    std::vector<std::string> input_names() const;
    std::vector<std::string> output_names() const;
    // The planned steps, one op name each; fused ones are "Linear", "Linear+Add",
    // "LayerNorm" and "Gelu" (for tests and profiles).
    std::vector<std::string> planned_steps() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace hfx::rt
