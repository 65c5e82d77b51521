// model.safetensors.index.json, opened the way `export --model DIR` opens a
// checkpoint (config.json, then the index, then the shards it names). The
// two shards next to it are fixed, valid files: what varies is the index.
#include "checkpoint/checkpoint.h"
#include "fuzz_util.h"

namespace {

std::string le64(uint64_t v) {
    std::string s;
    for (int i = 0; i < 8; ++i) s += char(uint8_t(v >> (8 * i)));
    return s;
}

std::string shard(const std::string& header, size_t data_bytes) {
    return le64(header.size()) + header + std::string(data_bytes, '\x01');
}

void write_fixed_files() {
    using hfx::fuzz::write_file;
    write_file("config.json", std::string(R"({"model_type": "bert"})"));
    write_file("model-00001-of-00002.safetensors",
               shard(R"({"a": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},)"
                     R"( "b": {"dtype": "I64", "shape": [1], "data_offsets": [16, 24]}})",
                     24));
    write_file("model-00002-of-00002.safetensors",
               shard(R"({"c": {"dtype": "F16", "shape": [3], "data_offsets": [0, 6]},)"
                     R"( "__metadata__": {"format": "pt"}})",
                     6));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const bool once = (write_fixed_files(), true);
    (void)once;
    hfx::fuzz::write_file("model.safetensors.index.json", data, size);
    hfx::fuzz::expect_clean([&] {
        hfx::Checkpoint ck = hfx::Checkpoint::open(hfx::fuzz::scratch_dir());
        volatile uint8_t sink = 0;
        for (const auto& name : ck.names()) {
            const hfx::WeightRef& w = ck.at(name);
            const uint8_t* p = static_cast<const uint8_t*>(w.data);
            for (size_t k = 0; k < w.nbytes; ++k) sink = sink ^ p[k];
        }
        (void)ck.num_parameters();
    });
    return 0;
}
