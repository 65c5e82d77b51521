/* Compiles tests/abi/abi_layout.h as C (the language of the ABI). */
#include "abi_layout.h"
int hfx_abi_layout_c_checked(void) { return (int)sizeof(hfx_host_api); }
