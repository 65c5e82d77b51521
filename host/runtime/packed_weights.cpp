#include "runtime/packed_weights.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "core/mapped_file.h"

namespace hfx::rt {

namespace {
bool is_linear(const Step& st) { return st.is_fused() && std::string(st.kernel->op) == "Linear"; }
}  // namespace

void PackedWeights::prepare(std::vector<Step>& steps, const std::vector<Tensor>& constants,
                            const std::vector<int>& outputs) {
    constants_ = &constants;
    for (auto& st : steps) {
        if (!is_linear(st)) continue;
        st.linear_index = int64_t(linears_.size());
        linears_.push_back({st.in[1], st.fused->attr_i("trans_b", 1) != 0});
    }
    size_t count = std::max<size_t>(1, linears_.size());
    ptrs_ = std::make_unique<std::atomic<const PackedB*>[]>(count);
    calls_ = std::make_unique<std::atomic<int64_t>[]>(count);
    for (size_t i = 0; i < count; ++i) {
        ptrs_[i].store(nullptr);
        calls_[i].store(0);
    }
    for (const auto& st : steps)
        for (size_t i = 0; i < st.in.size(); ++i)
            if (st.in[i] >= 0 && !(is_linear(st) && i == 1)) other_readers_.insert(st.in[i]);
    for (int s : outputs) other_readers_.insert(s);
    const char* env = std::getenv("HFX_GEMM_PACK");
    pack_after_ = env && std::string(env) == "0" ? -1 : env && std::string(env) == "1" ? 1 : 2;
}

const PackedB* PackedWeights::get(int64_t index, int64_t m) {
    if (index < 0 || size_t(index) >= linears_.size()) return nullptr;
    const PackedB* p = ptrs_[index].load(std::memory_order_acquire);
    if (p || pack_after_ < 0 || m < kPackRows || calls_[index].fetch_add(1) + 1 < pack_after_) return p;
    std::lock_guard<std::mutex> lock(mutex_);
    const Linear& l = linears_[size_t(index)];
    auto& copy = packed_[{l.w, l.trans}];
    if (!copy) {
        const Tensor& w = (*constants_)[size_t(l.w)];
        int64_t n = w.shape[l.trans ? 0 : 1], k = w.shape[l.trans ? 1 : 0];
        copy = pack_b(w.ptr<float>(), l.trans, n, k);
        if (!other_readers_.count(l.w)) release_pages(w);
    }
    ptrs_[index].store(copy.get(), std::memory_order_release);
    return copy.get();
}

}  // namespace hfx::rt
