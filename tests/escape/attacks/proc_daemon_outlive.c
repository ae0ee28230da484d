// Lifetime escape: double fork + setsid so a grandchild is orphaned and
// detached, then pid 1 exits. The grandchild sleeps 30 s; it must die with
// the sandbox (the driver looks for leftover processes of the sandbox uid).
#include <signal.h>

#include "attack.h"

int main(void) {
  announce();
  long c = RAW0(SYS_fork);
  if (c == 0) {
    RAW0(SYS_setsid);
    if (RAW0(SYS_fork) == 0) {
      RAW0(SYS_setsid);
      RAW4(SYS_rt_sigprocmask, SIG_BLOCK, (long)(unsigned long[]){~0UL}, 0, 8);
      struct timespec ts = {30, 0};
      RAW2(SYS_nanosleep, &ts, 0);
      RAW1(SYS_exit, 0);
    }
    RAW1(SYS_exit, 0);
  }
  step("forked", c);
  sleep_ms(300);
  return done();
}
