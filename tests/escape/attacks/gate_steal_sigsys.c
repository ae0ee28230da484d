// Take SIGSYS from the libOS: rt_sigaction at the gate installs our own
// handler natively. Trapped calls then come to us, not the libOS; the
// kernel still refuses them (ENOSYS in RAX), so nothing reaches the host.
#include <signal.h>

#include "gate.h"

static volatile long traps;

static void on_sigsys(int sig, siginfo_t* si, void* uc) {
  ++traps;
}

struct ksigaction {
  void (*handler)(int, siginfo_t*, void*);
  unsigned long flags;
  void (*restorer)(void);
  unsigned long mask;
};

extern void restore_rt(void);
__asm__(".text\nrestore_rt:\n mov $15, %eax\n syscall\n hlt\n");

int main(void) {
  announce();
  void* g = find_gate();
  step("find_gate", g ? 0 : -ENOENT);
  if (!g) return done();
  struct ksigaction sa = {on_sigsys, SA_SIGINFO | 0x04000000 /* SA_RESTORER */, restore_rt, 0};
  step("gate_rt_sigaction_sigsys", GATE(g, SYS_rt_sigaction, SIGSYS, &sa, 0, 8, 0, 0));
  long fd = step("openat_host_decoy", RAW4(SYS_openat, AT_FDCWD, host("ESC_DECOY"), O_RDONLY, 0));
  dump_fd("openat_host_decoy", fd);
  fd = step("openat_dotdot", RAW4(SYS_openat, AT_FDCWD, "/../decoy/secret", O_RDONLY, 0));
  dump_fd("openat_dotdot", fd);
  step("kill_decoy", RAW2(SYS_kill, host_num("ESC_DECOY_PID"), SIGKILL));
  step("traps_seen", traps);
  return done();
}
