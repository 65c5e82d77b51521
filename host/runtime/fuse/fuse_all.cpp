#include "runtime/fuse/fuse.h"

namespace hfx::rt {

// Linear before its bias; the element-wise patterns do not overlap the Linear ones.
void fuse_all(Plan& plan) {
    fuse_linear(plan);
    fuse_linear_bias(plan);
    fuse_layer_norm(plan);
    fuse_gelu(plan);
}

}  // namespace hfx::rt
