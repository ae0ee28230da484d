// The libOS's reserved fds (16352 and up): dup2/dup3 our fds onto them,
// close them, close_range over them, raise RLIMIT_NOFILE past them, read
// the libOS's own image through them, mmap them. All must fail or only
// hurt this process; nothing may reach the host.
#include <sys/mman.h>
#include <sys/resource.h>

#include "attack.h"

int main(void) {
  announce();
  step("dup2_onto_channel", RAW2(SYS_dup2, 1, 16352));
  step("dup3_onto_channel", RAW3(SYS_dup3, 1, 16352, 0));
  step("close_channel", RAW1(SYS_close, 16352));
  step("close_range_all", RAW3(SYS_close_range, 3, ~0U, 0));
  step("fcntl_dupfd_into_reserved", RAW3(SYS_fcntl, 1, F_DUPFD, 16352));
  struct rlimit big = {1 << 20, 1 << 20};
  step("setrlimit_nofile_big", RAW2(SYS_setrlimit, RLIMIT_NOFILE, &big));
  step("prlimit_nofile_big", RAW4(SYS_prlimit64, 0, RLIMIT_NOFILE, &big, 0));
  step("dup3_after_raise", RAW3(SYS_dup3, 1, 16360, 0));
  long readable = 0;
  for (int fd = 16353; fd < 16384; ++fd) {
    char buf[16];
    if (RAW4(SYS_pread64, fd, buf, sizeof buf, 0) > 0) ++readable;
  }
  out("INFO reserved_readable=%ld\n", readable);
  step("still_alive_getpid", RAW0(SYS_getpid));
  try_read("open_after", "/etc/passwd");
  return done();
}
