// Core dumps land in the host's view (the guest's host cwd, or a
// core_pattern pipe run as root): raise RLIMIT_CORE (hard limit is 0) and
// abort. Expected: the raise fails and the process dies by a core-dumping
// signal (SIGSEGV: as pid 1 it ignores its own SIGABRT, and abort() then
// faults).
#include <signal.h>
#include <sys/resource.h>

#include "attack.h"

int main(void) {
  announce();
  struct rlimit inf = {RLIM_INFINITY, RLIM_INFINITY};
  step("setrlimit_core", RAW2(SYS_setrlimit, RLIMIT_CORE, &inf));
  step("prlimit_core", RAW4(SYS_prlimit64, 0, RLIMIT_CORE, &inf, 0));
  step("prctl_dumpable", RAW2(SYS_prctl, 4 /* PR_SET_DUMPABLE */, 1));
  out("ABORTING\n");
  RAW2(SYS_kill, RAW0(SYS_getpid), SIGABRT);
  RAW3(SYS_tgkill, RAW0(SYS_getpid), RAW0(SYS_gettid), SIGSEGV);
  *(volatile int*)0 = 1;
  return done();
}
