// Execute: runs one planned step through its kernel from the kernel table (fused
// steps included: their kernels live in the kFusedDomain part of the table).
#pragma once
#include <string>
#include <vector>

#include "core/ir.h"
#include "runtime/step.h"
#include "runtime/value.h"

namespace hfx::rt {

class PackedWeights;
class Profile;

struct ExecOptions {
    const Model* model = nullptr;
    const std::vector<std::string>* names = nullptr;  // per slot, for messages
    int threads = 1;
    PackedWeights* packed = nullptr;  // null while planning: nothing is packed
    Profile* profile = nullptr;       // null = no timing
};

// `values` are per slot; `seqs` (the slots' sequence values) is null while folding at
// build time. Throws hfx::Error naming the node on a missing input or a failing kernel.
void execute_step(const Step& st, std::vector<Tensor>& values, std::vector<SequencePtr>* seqs, const ExecOptions& o);

}  // namespace hfx::rt
