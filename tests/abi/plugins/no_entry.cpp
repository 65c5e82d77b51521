// A shared object without the entry point.
extern "C" int not_a_plugin(void) { return 42; }
