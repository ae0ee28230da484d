// seccomp from the app: a user-notification listener (would let the app
// answer its own syscalls... in a process it controls), SECCOMP_RET_ALLOW
// for everything (filters only stack, so nothing loosens), strict mode via
// prctl in a child. Afterwards the partition still holds.
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/wait.h>

#include "attack.h"

int main(void) {
  announce();
  struct sock_filter allow[] = {{0x06, 0, 0, SECCOMP_RET_ALLOW}};
  struct sock_fprog prog = {1, allow};
  step("listener",
       RAW3(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog));
  step("allow_all", RAW3(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog));
  step("prctl_filter", RAW3(SYS_prctl, 22 /* PR_SET_SECCOMP */, 2, &prog));
  step("mount_after", RAW5(SYS_mount, "none", "/tmp", "tmpfs", 0, 0));
  long fd = step("open_dotdot_after", RAW4(SYS_openat, AT_FDCWD, "/../decoy/secret", O_RDONLY, 0));
  dump_fd("open_dotdot_after", fd);
  step("getpid_after", RAW0(SYS_getpid));
  return done();
}
