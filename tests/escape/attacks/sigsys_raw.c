// The app fights the libOS for SIGSYS without the gate: ignore it, block
// it (rt_sigprocmask with a full mask), install its own handler. The
// libOS keeps SIGSYS; emulated calls still work (getpid is the virtual 1).
#include <signal.h>

#include "attack.h"

struct ksigaction {
  void* handler;
  unsigned long flags;
  void* restorer;
  unsigned long mask;
};

int main(void) {
  announce();
  struct ksigaction ign = {SIG_IGN, 0, 0, 0};
  step("sigaction_sigsys_ignore", RAW4(SYS_rt_sigaction, SIGSYS, &ign, 0, 8));
  unsigned long all = ~0UL;
  step("sigprocmask_block_all", RAW4(SYS_rt_sigprocmask, SIG_BLOCK, &all, 0, 8));
  step("getpid_virtual", RAW0(SYS_getpid));
  unsigned long cur = 0;
  RAW4(SYS_rt_sigprocmask, SIG_BLOCK, 0, &cur, 8);
  step("sigsys_blocked_bit", (cur >> (SIGSYS - 1)) & 1);
  long fd = step("open_dotdot", RAW4(SYS_openat, AT_FDCWD, "/../decoy/secret", O_RDONLY, 0));
  dump_fd("open_dotdot", fd);
  return done();
}
