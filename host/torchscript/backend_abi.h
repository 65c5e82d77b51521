/* The boundary between hfexport and its libtorch backend (backend/backend.cpp,
 * built as libhfx_torchscript.so when libtorch is found). hfexport dlopens it
 * only for TorchScript work, so the ~1 s and ~160 MB that loading libtorch
 * costs are paid by `--format torchscript` alone, and an hfexport built or
 * installed without libtorch still runs. Plain C, like the plugin ABI. */
#ifndef HFX_TORCHSCRIPT_BACKEND_ABI_H
#define HFX_TORCHSCRIPT_BACKEND_ABI_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HFX_TS_BACKEND_VERSION 1

typedef struct hfx_ts_tensor {
    int32_t dtype; /* ONNX TensorProto data type: float32, int64, int32 or bool */
    int32_t rank;
    const int64_t* shape;
    const void* data; /* dense, row-major; borrowed for the call */
} hfx_ts_tensor;

typedef struct hfx_ts_attribute {
    const char* const* path; /* submodules, then the attribute's name */
    size_t path_len;
    hfx_ts_tensor value;
    int32_t file_backed; /* value.data lies in a read-only file mapping: its pages may be dropped once written */
} hfx_ts_attribute;

/* Receives output `index` of a run; `t` is valid during the call only. */
typedef void (*hfx_ts_output_fn)(void* context, size_t index, const hfx_ts_tensor* t);

/* Every function returns NULL on success, else a one-line error message that
 * stays valid until the next call on the same thread. */
typedef struct hfx_ts_backend {
    uint32_t version; /* HFX_TS_BACKEND_VERSION */
    const char* torch_version;
    /* Builds a module holding `attributes` (floats as parameters, the rest as
     * buffers) whose methods are `source`, and saves it to `path` with the
     * extra file `extra_name` (e.g. metadata JSON). */
    const char* (*save)(const char* source, const hfx_ts_attribute* attributes, size_t num_attributes,
                        const char* extra_name, const char* extra_content, const char* path);
    /* Loads `path`; *extra receives the content of extra file `extra_name` ("" if absent),
     * valid until release. */
    const char* (*load)(const char* path, const char* extra_name, void** module, const char** extra);
    /* forward(*inputs) in inference mode; each element of the returned tuple goes to `emit`. */
    const char* (*run)(void* module, const hfx_ts_tensor* inputs, size_t num_inputs, int threads, void* context,
                       hfx_ts_output_fn emit);
    void (*release)(void* module);
} hfx_ts_backend;

typedef const hfx_ts_backend* (*hfx_ts_backend_entry)(void);
#define HFX_TS_BACKEND_ENTRY "hfx_torchscript_backend"

#ifdef __cplusplus
}
#endif
#endif
