// ptrace and cross-process memory access against the decoy's host pid
// (PTRACE_ATTACH / SEIZE, process_vm_readv / writev, pidfd_getfd), and
// PTRACE_TRACEME.
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "attack.h"

int main(void) {
  announce();
  long pid = host_num("ESC_DECOY_PID");
  step("attach_decoy", RAW4(SYS_ptrace, PTRACE_ATTACH, pid, 0, 0));
  step("seize_decoy", RAW4(SYS_ptrace, PTRACE_SEIZE, pid, 0, 0));
  step("traceme", RAW4(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0));
  char buf[64];
  struct iovec local = {buf, sizeof buf}, remote = {(void*)0x400000, sizeof buf};
  step("process_vm_readv", RAW6(SYS_process_vm_readv, pid, &local, 1, &remote, 1, 0));
  step("process_vm_writev", RAW6(SYS_process_vm_writev, pid, &local, 1, &remote, 1, 0));
  long pfd = step("pidfd_open_decoy", RAW2(SYS_pidfd_open, pid, 0));
  step("pidfd_getfd", RAW3(SYS_pidfd_getfd, pfd >= 0 ? pfd : 0, 0, 0));
  step("kcmp", RAW5(SYS_kcmp, pid, RAW0(SYS_gettid), 0, 0, 0));
  step("process_madvise", RAW5(SYS_process_madvise, pfd >= 0 ? pfd : 0, &local, 1, 0, 0));
  return done();
}
