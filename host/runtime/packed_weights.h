// Linear weights packed into the GEMM kernel's layout once instead of on every call
// (Eigen packs the weight operand per call once it has a few rows). A step packs its
// weight the `pack_after`-th time it multiplies kPackRows rows or more (2 by default;
// HFX_GEMM_PACK=1: the first time, 0: never), then always uses it, so one-shot
// sessions (the validator's) and one-row decoding (a GEMV, which packs nothing) pay
// nothing for it. Steps sharing a weight share the copy. Runs on other threads pick
// the pointer up atomically. A weight only Linear steps read is not touched again
// once packed: its pages of the file mapping are dropped then, so the packed copy
// replaces it in the resident set (they refault from the file if anything reads them).
#pragma once
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

#include "runtime/ops/gemm_util.h"
#include "runtime/step.h"

namespace hfx::rt {

class PackedWeights {
public:
    static constexpr int64_t kPackRows = 4;

    // Numbers the fused Linear steps (Step::linear_index) once the plan is final;
    // `constants` must outlive this object and stay the same size.
    void prepare(std::vector<Step>& steps, const std::vector<Tensor>& constants, const std::vector<int>& outputs);
    // The packed weight of Linear step `index` multiplying `m` rows, or null (not yet / never).
    const PackedB* get(int64_t index, int64_t m);

private:
    struct Linear {
        int w = -1;
        bool trans = true;
    };
    const std::vector<Tensor>* constants_ = nullptr;
    std::vector<Linear> linears_;
    int pack_after_ = 2;
    std::set<int> other_readers_;  // slots read by something other than a Linear's weight operand
    std::map<std::pair<int, bool>, std::shared_ptr<const PackedB>> packed_;  // (W slot, [n, k]) -> copy
    std::unique_ptr<std::atomic<const PackedB*>[]> ptrs_;                    // per Linear step
    std::unique_ptr<std::atomic<int64_t>[]> calls_;                          // per Linear step
    std::mutex mutex_;
};

}  // namespace hfx::rt
