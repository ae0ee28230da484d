// Jump to the libOS's gate with forged arguments: deny-class calls (mount,
// unshare, ptrace), path calls (openat of the decoy's host path),
// namespace clones, and the gate-set calls aimed at the decoy's host pid
// (prlimit64, setpgid, timer_create), seccomp with a user-notify listener,
// TIOCSTI. Nothing may work that would not work from the app's own code.
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <time.h>

#include "gate.h"

int main(void) {
  announce();
  void* g = find_gate();
  step("find_gate", g ? 0 : -ENOENT);
  if (!g) return done();
  long decoy = host_num("ESC_DECOY_PID");
  step("gate_getpid_works", GATE(g, SYS_getpid, 0, 0, 0, 0, 0, 0) > 0 ? 0 : -EIO);
  step("gate_mount", GATE(g, SYS_mount, "none", "/tmp", "tmpfs", 0, 0, 0));
  step("gate_unshare_user", GATE(g, SYS_unshare, CLONE_NEWUSER, 0, 0, 0, 0, 0));
  step("gate_ptrace_decoy", GATE(g, SYS_ptrace, 16 /* ATTACH */, decoy, 0, 0, 0, 0));
  long fd = step("gate_openat_host_decoy",
                 GATE(g, SYS_openat, AT_FDCWD, host("ESC_DECOY"), O_RDONLY, 0, 0, 0));
  dump_fd("gate_openat_host_decoy", fd);
  fd = step("gate_openat_dotdot",
            GATE(g, SYS_openat, AT_FDCWD, "/../decoy/secret", O_RDONLY, 0, 0, 0));
  dump_fd("gate_openat_dotdot", fd);
  long c = GATE(g, SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0, 0);
  if (c == 0) RAW1(SYS_exit, 0);
  step("gate_clone_newuser", c);
  c = GATE(g, SYS_clone, CLONE_NEWNS | CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0, 0);
  if (c == 0) RAW1(SYS_exit, 0);
  step("gate_clone_newns", c);
  c = GATE(g, SYS_clone, CLONE_PTRACE | SIGCHLD, 0, 0, 0, 0, 0);
  if (c == 0) RAW1(SYS_exit, 0);
  step("gate_clone_ptrace", c);
  struct rlimit zero = {0, 0};
  step("gate_prlimit_decoy", GATE(g, SYS_prlimit64, decoy, RLIMIT_NOFILE, &zero, 0, 0, 0));
  step("gate_prlimit_init", GATE(g, SYS_prlimit64, 1, RLIMIT_NOFILE, &zero, 0, 0, 0));
  step("gate_setpgid_decoy", GATE(g, SYS_setpgid, decoy, decoy, 0, 0, 0, 0));
  struct sigevent sev;
  memset(&sev, 0, sizeof sev);
  sev.sigev_notify = 4;  // SIGEV_THREAD_ID
  sev.sigev_signo = SIGKILL;
  sev._sigev_un._tid = (int)decoy;
  int timer;
  step("gate_timer_create_decoy",
       GATE(g, SYS_timer_create, CLOCK_MONOTONIC, &sev, &timer, 0, 0, 0));
  step("gate_seccomp_listener",
       GATE(g, SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, 0, 0, 0, 0));
  step("gate_seccomp_get_notif_sizes", GATE(g, SYS_seccomp, 3, 0, &timer, 0, 0, 0));
  step("gate_tiocsti", GATE(g, SYS_ioctl, 0, 0x5412, "x", 0, 0, 0));
  step("gate_waitid_decoy", GATE(g, SYS_waitid, 1 /* P_PID */, decoy, 0, 4 /* WEXITED */, 0, 0));
  step("gate_kill_decoy", GATE(g, SYS_kill, decoy, SIGKILL, 0, 0, 0, 0));
  return done();
}
