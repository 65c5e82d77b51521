/* A plugin written in plain C against the frozen ABI 1.0 header (tests/abi/abi_1_0): its
 * descriptors are the 1.0 sizes (hfx_io_desc without dummy_end), and a 1.x host must load it and
 * export its graph. The model: logits = Cast(input_ids to float) * weight "scale". */
#include <hfx/abi.h>
#include <string.h>

static int build(const hfx_host_api* host, hfx_build* b, void* user) {
    (void)user;
    static const int64_t dims[2] = {-1, -1};
    static const char* const names[2] = {"batch", "sequence"};
    hfx_io_desc in;
    memset(&in, 0, sizeof(in));
    in.struct_size = sizeof(in); /* the 1.0 size */
    in.name = "input_ids";
    in.dtype = HFX_INT64;
    in.rank = 2;
    in.dims = dims;
    in.dim_names = names;
    in.dummy_kind = HFX_DUMMY_IDS;
    in.dummy_low = 0;
    in.dummy_high = 7;
    hfx_value ids = host->input(b, &in);
    if (ids < 0) return HFX_ERROR;
    static const int64_t one[1] = {1};
    hfx_value scale = host->weight(b, "scale", 1, one);
    if (scale < 0) return HFX_ERROR;

    hfx_attr to = {"to", HFX_ATTR_INT, HFX_FLOAT, 0.0f, NULL, 0, NULL, NULL};
    hfx_node_desc cast = {sizeof(hfx_node_desc), "Cast", NULL, "/Cast", 1, &ids, 1, 1, &to};
    hfx_value as_float;
    if (host->node(b, &cast, &as_float) != HFX_OK) return HFX_ERROR;
    hfx_value mul_in[2] = {as_float, scale};
    hfx_node_desc mul = {sizeof(hfx_node_desc), "Mul", NULL, "/Mul", 2, mul_in, 1, 0, NULL};
    hfx_value logits;
    if (host->node(b, &mul, &logits) != HFX_OK) return HFX_ERROR;

    hfx_io_desc out = in;
    out.name = "logits";
    out.dtype = HFX_FLOAT;
    out.dummy_kind = HFX_DUMMY_NONE;
    return host->output(b, logits, &out);
}

static int tiny_config(char* out, size_t capacity, void* user) {
    (void)user;
    static const char text[] = "{\"model_type\": \"abi-1-0\"}";
    if (capacity < sizeof(text)) return HFX_ERROR;
    memcpy(out, text, sizeof(text));
    return HFX_OK;
}

static int register_plugin(const hfx_host_api* host, hfx_registrar* r, char* err, size_t err_len) {
    (void)host, (void)err, (void)err_len;
    static const char* const features[1] = {"default"};
    hfx_model_type_desc d;
    memset(&d, 0, sizeof(d));
    d.struct_size = sizeof(d);
    d.model_type = "abi-1-0";
    d.features = features;
    d.num_features = 1;
    d.reference = "tests/abi/plugins/abi_1_0.c";
    d.build = build;
    d.tiny_config = tiny_config;
    return r->add_model_type(r, &d);
}

static const hfx_plugin_desc desc = {sizeof(hfx_plugin_desc), HFX_ABI_MAJOR, HFX_ABI_MINOR, "abi_1_0", "1.0.0",
                                     register_plugin};

HFX_EXPORT const hfx_plugin_desc* hfx_plugin_entry(void) { return &desc; }
