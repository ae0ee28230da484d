// Device nodes a malicious image ships (planted by the driver: c 1 3 and
// c 1 7, the host's null and full): opening them, read-only, read-write,
// with O_DIRECTORY, O_NONBLOCK or through a relative path, must never hand
// over a host device, on the proxy's one-call open path (a nodev mount of
// the root) or its two-step one.
#include "attack.h"

int main(void) {
  announce();
  try_read("open_planted_null", "/planted_null");
  try_read("open_planted_full", "/planted_full");
  long fd = step("open_planted_null_rdwr", RAW4(SYS_openat, AT_FDCWD, "/planted_null", O_RDWR, 0));
  dump_fd("open_planted_null_rdwr", fd);
  fd = step("open_planted_full_nonblock",
            RAW4(SYS_openat, AT_FDCWD, "/planted_full", O_RDONLY | O_NONBLOCK, 0));
  dump_fd("open_planted_full_nonblock", fd);
  step("chdir_root", RAW1(SYS_chdir, "/"));
  fd = step("open_planted_null_relative", RAW4(SYS_openat, AT_FDCWD, "planted_null", O_RDONLY, 0));
  dump_fd("open_planted_null_relative", fd);
  return done();
}
