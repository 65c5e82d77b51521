// A runtime file that includes a validate/ header: check_runtime_includes.sh must refuse it.
#include "runtime/session.h"
#include "validate/dummy_inputs.h"
