// The ABI layout checks compiled as C++ too (abi_layout.h), and compared with the C compiler's view.
#include <gtest/gtest.h>

#include "abi_layout.h"

extern "C" int hfx_abi_layout_c_checked(void);

TEST(PluginAbiLayout, CAndCppAgree) { EXPECT_EQ(hfx_abi_layout_c_checked(), int(sizeof(hfx_host_api))); }
