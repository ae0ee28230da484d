// Host pids next to our own host tid are likely the supervisor and the
// `litebox do` process. Signal them (SIGSTOP, then SIGKILL) with every
// sender; the sandbox must keep running and exit normally.
#include <signal.h>

#include "attack.h"

int main(void) {
  announce();
  long me = RAW0(SYS_gettid);
  long hits = 0;
  for (long p = me - 4; p <= me + 4; ++p) {
    if (p == me || p <= 1) continue;
    if (RAW3(SYS_tgkill, p, p, SIGSTOP) == 0) ++hits;
    if (RAW2(SYS_tkill, p, SIGKILL) == 0) ++hits;
    if (RAW2(SYS_kill, p, SIGKILL) == 0) ++hits;
  }
  step("host_neighbour_hits", hits);
  return done();
}
