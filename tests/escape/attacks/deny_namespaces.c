// New namespaces (a user namespace gives CAP_SYS_ADMIN over it, the usual
// first step of kernel exploits): unshare, setns on the decoy's namespaces,
// clone with CLONE_NEW* flags, clone3.
#include <sched.h>
#include <signal.h>

#include "attack.h"

int main(void) {
  announce();
  step("unshare_user", RAW1(SYS_unshare, CLONE_NEWUSER));
  step("unshare_user_ns_all",
       RAW1(SYS_unshare, CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET));
  step("unshare_mnt", RAW1(SYS_unshare, CLONE_NEWNS));
  step("setns_fd0", RAW2(SYS_setns, 0, 0));
  char path[256];
  snprintf(path, sizeof path, "/proc/%s/ns/mnt", host("ESC_DECOY_PID"));
  long fd = step("open_decoy_ns", RAW4(SYS_openat, AT_FDCWD, path, O_RDONLY, 0));
  if (fd >= 0) step("setns_decoy", RAW2(SYS_setns, fd, 0));
  long pid = RAW5(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) RAW1(SYS_exit, 0);
  step("clone_newuser", pid);
  pid = RAW5(SYS_clone, CLONE_NEWNS | CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) RAW1(SYS_exit, 0);
  step("clone_newns_newpid", pid);
  pid = RAW5(SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) RAW1(SYS_exit, 0);
  step("clone_newnet", pid);
  struct {
    unsigned long long flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
  } args = {CLONE_NEWUSER, 0, 0, 0, SIGCHLD, 0, 0, 0};
  pid = RAW2(SYS_clone3, &args, sizeof args);
  if (pid == 0) RAW1(SYS_exit, 0);
  step("clone3_newuser", pid);
  return done();
}
