/* The plugin ABI's layout, pinned (x86_64 / aarch64 LP64). Included by a C file and a C++ file,
 * so both compilers agree with each other and with these numbers. A failing assert here means an
 * ABI break: fields may only be appended (the struct's size grows, no offset moves).
 * hfx_attr is the one struct without struct_size: it is an element of an array the plugin owns,
 * frozen at 64 bytes; new attribute data would come as a new kind pointing at a sized struct. */
#ifndef HFX_ABI_LAYOUT_H
#define HFX_ABI_LAYOUT_H
#include <stddef.h>
#include <hfx/abi.h>

#ifdef __cplusplus
#define HFX_ABI_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define HFX_ABI_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif
#define HFX_ABI_SIZE(type, n) HFX_ABI_ASSERT(sizeof(type) == (n), "sizeof(" #type ") changed")
#define HFX_ABI_OFFSET(type, field, n) HFX_ABI_ASSERT(offsetof(type, field) == (n), #type "." #field " moved")
#define HFX_ABI_FIRST_IS_SIZE(type)                                                          \
    HFX_ABI_ASSERT(offsetof(type, struct_size) == 0 && sizeof(((type*)0)->struct_size) == 4, \
                   #type " must start with struct_size")

HFX_ABI_FIRST_IS_SIZE(hfx_node_desc);
HFX_ABI_FIRST_IS_SIZE(hfx_io_desc);
HFX_ABI_FIRST_IS_SIZE(hfx_weight_info);
HFX_ABI_FIRST_IS_SIZE(hfx_host_api);
HFX_ABI_FIRST_IS_SIZE(hfx_model_type_desc);
HFX_ABI_FIRST_IS_SIZE(hfx_registrar);
HFX_ABI_FIRST_IS_SIZE(hfx_plugin_desc);
HFX_ABI_ASSERT(HFX_ABI_MAJOR == 1, "a new major: start a new layout file");
HFX_ABI_SIZE(hfx_attr, 64);
HFX_ABI_OFFSET(hfx_attr, name, 0);
HFX_ABI_OFFSET(hfx_attr, kind, 8);
HFX_ABI_OFFSET(hfx_attr, i, 16);
HFX_ABI_OFFSET(hfx_attr, f, 24);
HFX_ABI_OFFSET(hfx_attr, s, 32);
HFX_ABI_OFFSET(hfx_attr, count, 40);
HFX_ABI_OFFSET(hfx_attr, ints, 48);
HFX_ABI_OFFSET(hfx_attr, floats, 56);
HFX_ABI_SIZE(hfx_node_desc, 72);
HFX_ABI_OFFSET(hfx_node_desc, struct_size, 0);
HFX_ABI_OFFSET(hfx_node_desc, op_type, 8);
HFX_ABI_OFFSET(hfx_node_desc, domain, 16);
HFX_ABI_OFFSET(hfx_node_desc, name, 24);
HFX_ABI_OFFSET(hfx_node_desc, num_inputs, 32);
HFX_ABI_OFFSET(hfx_node_desc, inputs, 40);
HFX_ABI_OFFSET(hfx_node_desc, num_outputs, 48);
HFX_ABI_OFFSET(hfx_node_desc, num_attrs, 56);
HFX_ABI_OFFSET(hfx_node_desc, attrs, 64);
HFX_ABI_SIZE(hfx_io_desc, 72);
HFX_ABI_OFFSET(hfx_io_desc, struct_size, 0);
HFX_ABI_OFFSET(hfx_io_desc, name, 8);
HFX_ABI_OFFSET(hfx_io_desc, dtype, 16);
HFX_ABI_OFFSET(hfx_io_desc, rank, 20);
HFX_ABI_OFFSET(hfx_io_desc, dims, 24);
HFX_ABI_OFFSET(hfx_io_desc, dim_names, 32);
HFX_ABI_OFFSET(hfx_io_desc, dummy_kind, 40);
HFX_ABI_OFFSET(hfx_io_desc, dummy_low, 48);
HFX_ABI_OFFSET(hfx_io_desc, dummy_high, 56);
HFX_ABI_OFFSET(hfx_io_desc, dummy_end, 64);
HFX_ABI_SIZE(hfx_weight_info, 80);
HFX_ABI_OFFSET(hfx_weight_info, struct_size, 0);
HFX_ABI_OFFSET(hfx_weight_info, dtype, 4);
HFX_ABI_OFFSET(hfx_weight_info, rank, 8);
HFX_ABI_OFFSET(hfx_weight_info, shape, 16);
HFX_ABI_SIZE(hfx_host_api, 160);
HFX_ABI_OFFSET(hfx_host_api, struct_size, 0);
HFX_ABI_OFFSET(hfx_host_api, abi_minor, 4);
HFX_ABI_OFFSET(hfx_host_api, model_type, 8);
HFX_ABI_OFFSET(hfx_host_api, feature, 16);
HFX_ABI_OFFSET(hfx_host_api, opset, 24);
HFX_ABI_OFFSET(hfx_host_api, last_error, 32);
HFX_ABI_OFFSET(hfx_host_api, set_error, 40);
HFX_ABI_OFFSET(hfx_host_api, config_number, 48);
HFX_ABI_OFFSET(hfx_host_api, config_string, 56);
HFX_ABI_OFFSET(hfx_host_api, config_bool, 64);
HFX_ABI_OFFSET(hfx_host_api, config_size, 72);
HFX_ABI_OFFSET(hfx_host_api, config_key, 80);
HFX_ABI_OFFSET(hfx_host_api, weight_info, 88);
HFX_ABI_OFFSET(hfx_host_api, input, 96);
HFX_ABI_OFFSET(hfx_host_api, output, 104);
HFX_ABI_OFFSET(hfx_host_api, weight, 112);
HFX_ABI_OFFSET(hfx_host_api, constant, 120);
HFX_ABI_OFFSET(hfx_host_api, node, 128);
HFX_ABI_OFFSET(hfx_host_api, dtype_of, 136);
HFX_ABI_OFFSET(hfx_host_api, set_property, 144);
HFX_ABI_OFFSET(hfx_host_api, component, 152);
HFX_ABI_SIZE(hfx_model_type_desc, 64);
HFX_ABI_OFFSET(hfx_model_type_desc, struct_size, 0);
HFX_ABI_OFFSET(hfx_model_type_desc, model_type, 8);
HFX_ABI_OFFSET(hfx_model_type_desc, features, 16);
HFX_ABI_OFFSET(hfx_model_type_desc, num_features, 24);
HFX_ABI_OFFSET(hfx_model_type_desc, reference, 32);
HFX_ABI_OFFSET(hfx_model_type_desc, build, 40);
HFX_ABI_OFFSET(hfx_model_type_desc, user, 48);
HFX_ABI_OFFSET(hfx_model_type_desc, tiny_config, 56);
HFX_ABI_SIZE(hfx_registrar, 24);
HFX_ABI_OFFSET(hfx_registrar, struct_size, 0);
HFX_ABI_OFFSET(hfx_registrar, host_data, 8);
HFX_ABI_OFFSET(hfx_registrar, add_model_type, 16);
HFX_ABI_SIZE(hfx_plugin_desc, 40);
HFX_ABI_OFFSET(hfx_plugin_desc, struct_size, 0);
HFX_ABI_OFFSET(hfx_plugin_desc, abi_major, 4);
HFX_ABI_OFFSET(hfx_plugin_desc, abi_minor, 8);
HFX_ABI_OFFSET(hfx_plugin_desc, name, 16);
HFX_ABI_OFFSET(hfx_plugin_desc, version, 24);
HFX_ABI_OFFSET(hfx_plugin_desc, register_plugin, 32);

#endif
