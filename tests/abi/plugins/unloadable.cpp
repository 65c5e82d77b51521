// Needs a symbol no library provides: dlopen(RTLD_NOW) fails.
extern "C" int hfx_test_symbol_that_does_not_exist(void);
extern "C" int hfx_plugin_entry(void) { return hfx_test_symbol_that_does_not_exist(); }
