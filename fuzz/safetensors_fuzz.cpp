// model.safetensors: header length, JSON header, offsets, overlap checks.
// Every tensor the reader accepts is read end to end, so a view that points
// past the mapping is an ASan report, not a silent success.
#include "checkpoint/safetensors.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string path = hfx::fuzz::write_file("model.safetensors", data, size);
    hfx::fuzz::expect_clean([&] {
        hfx::SafetensorsFile st = hfx::open_safetensors(path);
        volatile uint8_t sink = 0;
        for (const auto& w : st.tensors) {
            const uint8_t* p = static_cast<const uint8_t*>(w.data);
            for (size_t k = 0; k < w.nbytes; ++k) sink = sink ^ p[k];
        }
    });
    return 0;
}
