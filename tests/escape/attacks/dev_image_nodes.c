// Device nodes a malicious image ships (planted by the driver: c 1 3 and
// c 1 7, the host's null and full): opening them, read-only, read-write,
// with O_DIRECTORY, O_NONBLOCK or through a relative path, must never hand
// over a host device, on the proxy's two-step open path (first) and on its
// one-call path (a nodev mount of the root, which the supervisor sets up
// once a sandbox has opened 64 files).
#include "attack.h"

static void probe(const char* tag) {
  char a[64], b[64];
  snprintf(a, sizeof a, "open_planted_null_%s", tag);
  try_read(a, "/planted_null");
  snprintf(b, sizeof b, "open_planted_full_rdwr_%s", tag);
  long fd = step(b, RAW4(SYS_openat, AT_FDCWD, "/planted_full", O_RDWR, 0));
  dump_fd(b, fd);
}

int main(void) {
  announce();
  probe("cold");
  long bad = 0;
  for (int i = 0; i < 100; ++i) {
    long fd = RAW4(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY, 0);
    if (fd < 0)
      ++bad;
    else
      RAW1(SYS_close, fd);
  }
  step("warm_up_opens", bad ? -EIO : 0);
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
