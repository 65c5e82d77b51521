// Whether validating an export can fit in this machine's memory, decided
// before the export starts. The two runtimes hold float32 copies of every
// half-precision weight (the Casts in front of them are folded once at load),
// and both the checkpoint and the written file are mapped: a model whose
// validation cannot fit is refused in one line that offers --no-validate,
// rather than failing with a bare allocation error after a long export.
#pragma once
#include <cstdint>
#include <string>

namespace hfx {

class Checkpoint;

struct ValidationFootprint {
    uint64_t mapped = 0;    // address space: checkpoint + written file
    uint64_t private_ = 0;  // memory that is not file-backed: widened weights and working room
    uint64_t widened = 0;   // of which float32 copies of half-precision (or float64) weights
};

struct MemoryAvailable {
    uint64_t memory = UINT64_MAX;         // MemAvailable, cgroup limit or HFEXPORT_MEMORY_LIMIT
    uint64_t address_space = UINT64_MAX;  // RLIMIT_AS minus what is mapped now
    std::string memory_source = "unknown";
};

ValidationFootprint validation_footprint(const Checkpoint& ckpt);
MemoryAvailable memory_available();

// Throws a one-line hfx::Error when the footprint does not fit what is available.
void require_validation_fits(const Checkpoint& ckpt);

std::string gib(uint64_t bytes);  // "3.2 GiB"

}  // namespace hfx
