// A fork bomb, bounded so the shared test machine survives: every process
// forks two children (6 generations, up to 127 processes) as fast as the
// sandbox lets it and all stay alive until 3 s have passed. Afterwards
// `litebox do` must end, no host process of the sandbox uid may remain (the
// driver checks), and the decoy must live.
#include <signal.h>

#include "attack.h"

int main(void) {
  announce();
  long end = now_ms() + 3000;
  long root = RAW0(SYS_getpid);
  long forks = 0;
  for (int gen = 0; gen < 6 && now_ms() < end;) {
    long a = RAW0(SYS_fork);
    if (a == 0) {
      ++gen;
      continue;
    }
    long b = RAW0(SYS_fork);
    if (b == 0) {
      ++gen;
      continue;
    }
    if (a > 0) ++forks;
    if (b > 0) ++forks;
    break;
  }
  while (now_ms() < end) sleep_ms(50);
  if (RAW0(SYS_getpid) != root) RAW1(SYS_exit_group, 0);
  step("forked_some", forks > 0 ? 0 : -EAGAIN);
  return done();
}
