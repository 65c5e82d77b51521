// Never returns from registration.
#include <unistd.h>
#include <hfx/hfx.h>
HFX_PLUGIN("hang_register", "1") {
    for (;;) ::pause();
}
