/* hfexport plugin ABI: the frozen C contract between the host and plugins.
 *
 * Rules (append-only, like ONNX Runtime's OrtApi):
 *  - every struct starts with `struct_size`; fields and function pointers are
 *    only ever appended, each marked with the ABI minor it appeared in;
 *  - a plugin whose major differs from the host's, or whose minor is newer,
 *    is refused; an older minor is accepted (the host reads struct_size);
 *  - nothing crosses this boundary but C types; errors are status codes plus a
 *    message, never exceptions.
 * A plugin exports exactly one symbol: `hfx_plugin_entry` (HFX_PLUGIN_ENTRY). */
#ifndef HFX_ABI_H
#define HFX_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HFX_ABI_MAJOR 1
#define HFX_ABI_MINOR 1

#if defined(_WIN32)
#define HFX_EXPORT __declspec(dllexport)
#else
#define HFX_EXPORT __attribute__((visibility("default")))
#endif

#define HFX_PLUGIN_ENTRY_SYMBOL "hfx_plugin_entry"

/* Status codes returned by plugin callbacks and host functions. */
#define HFX_OK 0
#define HFX_ERROR 1
/* A build's refusal of its config.json (a key missing, of the wrong type or out of
 * range; the message names the key): a failure like HFX_ERROR, which a host that
 * knows it reports as a config error rather than a plugin's (1.1). */
#define HFX_ERROR_CONFIG 2
/* The same for a tensor the checkpoint lacks (1.1). */
#define HFX_ERROR_CHECKPOINT 3

/* Element types: the ONNX TensorProto.DataType codes. */
typedef enum hfx_dtype {
    HFX_FLOAT = 1,
    HFX_UINT8 = 2,
    HFX_INT8 = 3,
    HFX_INT32 = 6,
    HFX_INT64 = 7,
    HFX_BOOL = 9,
    HFX_FLOAT16 = 10,
    HFX_DOUBLE = 11,
    HFX_BFLOAT16 = 16
} hfx_dtype;

/* A symbolic value of the graph being built; negative = none / error. */
typedef int32_t hfx_value;

/* The export in progress: config, weights, feature and the graph. Opaque. */
typedef struct hfx_build hfx_build;

typedef enum hfx_attr_kind {
    HFX_ATTR_INT = 0,
    HFX_ATTR_FLOAT = 1,
    HFX_ATTR_STRING = 2,
    HFX_ATTR_INTS = 3,
    HFX_ATTR_FLOATS = 4
} hfx_attr_kind;

typedef struct hfx_attr {
    const char* name;
    int32_t kind; /* hfx_attr_kind */
    int64_t i;
    float f;
    const char* s;
    size_t count; /* for INTS / FLOATS */
    const int64_t* ints;
    const float* floats;
} hfx_attr;

typedef struct hfx_node_desc {
    uint32_t struct_size;
    const char* op_type;
    const char* domain; /* NULL or "" = ai.onnx */
    const char* name;   /* HF module path, e.g. "/bert/encoder/layer.0/attention/self/query/MatMul" */
    size_t num_inputs;
    const hfx_value* inputs; /* a negative entry = omitted optional input */
    size_t num_outputs;
    size_t num_attrs;
    const hfx_attr* attrs;
} hfx_node_desc;

/* How the validator invents a value for a graph input (generate_dummy_inputs). */
typedef enum hfx_dummy_kind {
    HFX_DUMMY_NONE = 0,
    HFX_DUMMY_IDS = 1,       /* integers in [low, high) */
    HFX_DUMMY_MASK = 2,      /* 1 for tokens, 0 for right padding (row lengths vary) */
    HFX_DUMMY_CONSTANT = 3,  /* every element = low */
    HFX_DUMMY_NORMAL = 4,    /* standard normal floats */
    HFX_DUMMY_POSITIONS = 5, /* cumsum(mask) - 1 along the last axis, offset by the past */
    HFX_DUMMY_BOXES = 6,     /* LayoutLM boxes: x0<=x1, y0<=y1 in [0, high) on the last axis of 4 */
    HFX_DUMMY_IDS_ENDING = 7 /* (since 1.1) integers in [low, high) except dummy_end; each row's last
                                unpadded token (per attention_mask) is dummy_end: BART-family
                                classification pools at the last eos */
} hfx_dummy_kind;

/* A graph input or output. dims[i] >= 0 is fixed; < 0 takes dim_names[i]
 * ("batch", "sequence", "past_sequence", "past_sequence + sequence", ...). */
typedef struct hfx_io_desc {
    uint32_t struct_size;
    const char* name;
    int32_t dtype; /* hfx_dtype */
    int32_t rank;
    const int64_t* dims;
    const char* const* dim_names;
    int32_t dummy_kind; /* hfx_dummy_kind, inputs only */
    int64_t dummy_low;
    int64_t dummy_high;
    int64_t dummy_end; /* (since 1.1) HFX_DUMMY_IDS_ENDING's closing token */
} hfx_io_desc;

typedef struct hfx_weight_info {
    uint32_t struct_size;
    int32_t dtype; /* as stored in the checkpoint */
    int32_t rank;
    int64_t shape[8];
} hfx_weight_info;

/* Functions the host gives a plugin. Every function that can fail records a
 * one-line message readable with `last_error` and returns a negative value /
 * HFX_ERROR; the C++ SDK turns that into an exception. */
typedef struct hfx_host_api {
    uint32_t struct_size;
    uint32_t abi_minor;

    /* -- the export (since 1.0) -- */
    const char* (*model_type)(const hfx_build* b);
    const char* (*feature)(const hfx_build* b); /* e.g. "causal-lm-with-past" */
    int64_t (*opset)(const hfx_build* b);       /* target opset of the writer */
    const char* (*last_error)(const hfx_build* b);
    void (*set_error)(hfx_build* b, const char* message);

    /* -- config.json, addressed by JSON pointer ("/text_config/hidden_size") (since 1.0) --
     * Return 1 when found with the right type, 0 when absent or null, -1 on a type mismatch. */
    int (*config_number)(const hfx_build* b, const char* pointer, double* out);
    int (*config_string)(const hfx_build* b, const char* pointer, const char** out);
    int (*config_bool)(const hfx_build* b, const char* pointer, int* out);
    int (*config_size)(const hfx_build* b, const char* pointer, size_t* out);                   /* array/object size */
    int (*config_key)(const hfx_build* b, const char* pointer, size_t index, const char** out); /* object key #index */

    /* -- weights by Hugging Face name (since 1.0) -- */
    int (*weight_info)(const hfx_build* b, const char* name, hfx_weight_info* out); /* 1 found, 0 absent */

    /* -- the graph (since 1.0) -- */
    hfx_value (*input)(hfx_build* b, const hfx_io_desc* desc);
    int (*output)(hfx_build* b, hfx_value v, const hfx_io_desc* desc);
    /* A checkpoint tensor as an initializer under its HF name, checked against
     * `expected` (rank entries; -1 = any) and written as float32. */
    hfx_value (*weight)(hfx_build* b, const char* name, int32_t rank, const int64_t* expected);
    hfx_value (*constant)(hfx_build* b, const char* name, int32_t dtype, int32_t rank, const int64_t* shape,
                          const void* data);
    /* Adds a node; writes its num_outputs values into `outputs`. */
    int (*node)(hfx_build* b, const hfx_node_desc* desc, hfx_value* outputs);
    hfx_value (*dtype_of)(const hfx_build* b, hfx_value v); /* element type of a value */
    /* Export-wide settings: "atol", "default_opset", "rtol" (numbers as text). */
    int (*set_property)(hfx_build* b, const char* key, const char* value);
    /* Which graph of a multi-file export to build: "" (the single model.onnx
     * of transformers.onnx), or "encoder" / "decoder" / "decoder-with-past"
     * (optimum's split layout). */
    const char* (*component)(const hfx_build* b);
} hfx_host_api;

/* One architecture (model type) a plugin adds. */
typedef struct hfx_model_type_desc {
    uint32_t struct_size;
    const char* model_type;      /* the HF config.model_type spelling */
    const char* const* features; /* transformers.onnx feature names */
    size_t num_features;
    const char* reference; /* e.g. "transformers 4.40.2 modeling_bert.py" */
    /* Builds the graph for host->feature(b). Returns HFX_OK or HFX_ERROR
     * (with the message set through host->set_error). */
    int (*build)(const hfx_host_api* host, hfx_build* b, void* user);
    void* user;
    /* Fills `config_json` (a buffer of `capacity` bytes, NUL-terminated) with a
     * tiny config.json for random-weight tests; may be NULL. */
    int (*tiny_config)(char* config_json, size_t capacity, void* user);
} hfx_model_type_desc;

typedef struct hfx_registrar {
    uint32_t struct_size;
    void* host_data;
    int (*add_model_type)(struct hfx_registrar* r, const hfx_model_type_desc* desc);
} hfx_registrar;

typedef struct hfx_plugin_desc {
    uint32_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;
    const char* name;
    const char* version;
    /* Called once; registration is only open during this call. On failure
     * writes a message into err (err_len bytes) and returns HFX_ERROR. */
    int (*register_plugin)(const hfx_host_api* host, hfx_registrar* registrar, char* err, size_t err_len);
} hfx_plugin_desc;

typedef const hfx_plugin_desc* (*hfx_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* HFX_ABI_H */
