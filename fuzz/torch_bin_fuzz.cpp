// pytorch_model.bin: the zip central directory (ZIP64 too), the restricted
// unpickler and the tensor/storage resolution on top of it. Accepted tensors
// are read end to end, as in safetensors_fuzz.
#include "checkpoint/checkpoint.h"
#include "checkpoint/weight_set.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string path = hfx::fuzz::write_file("pytorch_model.bin", data, size);
    hfx::fuzz::expect_clean([&] {
        hfx::WeightSet set = hfx::load_torch_bin_weights(path);
        volatile uint8_t sink = 0;
        for (const auto& [name, w] : set.weights) {
            const uint8_t* p = static_cast<const uint8_t*>(w.ref.data);
            for (size_t k = 0; k < w.ref.nbytes; ++k) sink = sink ^ p[k];
        }
    });
    return 0;
}
