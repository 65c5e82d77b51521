// make-tiny mode: a build with no checkpoint, where the weights are created
// as the plugin declares them, deterministic random tensors of the declared
// shape (HF's tiny-random models, made from the plugin's own graph code).
//
// How lookups are answered (documented for plugin authors in docs/plugins.md):
//  - weight(name, shape) creates `name` on its first request; every axis must
//    be known then (a -1 is refused, naming the tensor and the axis). Later
//    requests are checked against that shape, as a checkpoint would be.
//  - has_weight / weight_shape of a declared name: present, with its shape.
//  - before the first declaration, a lookup is a layout probe (Weights::base):
//    present for task features (the base model under its prefix, as in
//    XxxFor<Task> checkpoints), absent for "default" (AutoModel at the root).
//    A name reported present that way must be declared later.
//  - after that, an undeclared name is absent: optional weights are left out
//    and tied weights stay tied (tied_lm_projection falls back to the
//    embedding, as HF saves a tied checkpoint). weight_shape of it fails.
//    When the build then fails, the plugin needed it (an untied lm_head with
//    tie_word_embeddings false): make_tiny builds again with the last name
//    answered absent now present (`present`), until the build succeeds.
//  - every weight is float32: norm scales (".weight"/".gamma" of a 1-D tensor
//    under a module whose name holds "norm" or "ln") are 1 + N(0, 0.1),
//    everything else N(0, initializer_range) (0.02 when the config has none).
//    Integer buffers cannot be invented: a plugin computes them in the graph.
//    As HF's _init_weights zeroes nn.Embedding(padding_idx=pad_token_id), the
//    row pad_token_id (config) of "*word_embeddings.weight" and
//    "*embed_tokens.weight" is zero.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"
#include "hfx/abi.h"

namespace hfx {

struct TinyWeights {
    bool task_layout = true;  // the feature's task is not "default"
    double stddev = 0.02;
    uint64_t seed = 0;
    int64_t pad_token_id = -1;                            // config.pad_token_id, -1 when absent
    std::vector<std::pair<std::string, Tensor>> created;  // in declaration order
    std::map<std::string, size_t> index;
    std::set<std::string> promised;            // reported present before being declared
    std::set<std::string> present;             // undeclared names to report present (make_tiny's retries)
    std::vector<std::string> answered_absent;  // in the order asked

    // Throws when a promised name was never declared.
    void check_complete() const;
};

int tiny_weight_info(TinyWeights& t, const std::string& name, hfx_weight_info* out);
const Tensor& tiny_weight(TinyWeights& t, const std::string& name, int32_t rank, const int64_t* expected);

}  // namespace hfx
