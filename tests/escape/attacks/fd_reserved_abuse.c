// The libOS's channel fd (LB_CHANNEL_FD): dup2/dup3 our fds onto it, close
// it (also with junk in the upper half of the argument, which the kernel
// drops), close_range over it, raise RLIMIT_NOFILE past it, read it. All
// must fail or only hurt this process; nothing may reach the host.
#include <sys/mman.h>
#include <sys/resource.h>

#include "attack.h"

int main(void) {
  announce();
  step("dup2_onto_channel", RAW2(SYS_dup2, 1, LB_CHANNEL_FD));
  step("dup3_onto_channel", RAW3(SYS_dup3, 1, LB_CHANNEL_FD, 0));
  step("close_channel", RAW1(SYS_close, LB_CHANNEL_FD));
  step("close_channel_junk_upper", RAW1(SYS_close, (1L << 32) | LB_CHANNEL_FD));
  step("dup3_onto_channel_junk_upper", RAW3(SYS_dup3, 1, (5L << 32) | LB_CHANNEL_FD, 0));
  step("close_range_all", RAW3(SYS_close_range, 3, ~0U, 0));
  step("fcntl_dupfd_into_reserved", RAW3(SYS_fcntl, 1, F_DUPFD, LB_CHANNEL_FD));
  struct rlimit big = {1 << 20, 1 << 20};
  step("setrlimit_nofile_big", RAW2(SYS_setrlimit, RLIMIT_NOFILE, &big));
  step("prlimit_nofile_big", RAW4(SYS_prlimit64, 0, RLIMIT_NOFILE, &big, 0));
  step("dup3_after_raise", RAW3(SYS_dup3, 1, LB_CHANNEL_FD + 8, 0));
  char buf[16];
  out("INFO channel_pread=%ld\n", RAW4(SYS_pread64, LB_CHANNEL_FD, buf, sizeof buf, 0));
  step("still_alive_getpid", RAW0(SYS_getpid));
  try_read("open_after", "/etc/passwd");
  return done();
}
