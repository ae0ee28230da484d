// Writes through the libOS's own host files: /proc/self/exe, its channel
// and the numbers after it via /proc/self/fd/N and /proc/self/map_files of the litebox-guest
// mapping, opened for writing, and pwrite straight on the reserved fds.
// The driver watches the private litebox-guest binary.
#include "gate.h"

int main(void) {
  announce();
  long fd = step("open_self_exe_rw",
                 RAW4(SYS_openat, AT_FDCWD, "/proc/self/exe", O_WRONLY | O_APPEND, 0));
  if (fd >= 0) RAW1(SYS_close, fd);
  long opened = 0, written = 0;
  for (int n = LB_CHANNEL_FD; n < LB_CHANNEL_FD + 32; ++n) {
    char p[64];
    snprintf(p, sizeof p, "/proc/self/fd/%d", n);
    long f = RAW4(SYS_openat, AT_FDCWD, p, O_RDWR, 0);
    if (f >= 0) {
      ++opened;
      RAW1(SYS_close, f);
    }
    if (RAW4(SYS_pwrite64, n, "\xcc", 1, 0x1000) == 1) ++written;
  }
  step("reserved_opened_rw", opened);
  step("reserved_pwritten", written);
  struct region r[8];
  int nr = libos_regions("r-x", r, 8);
  step("find_libos_text", nr > 0 ? 0 : -ENOENT);
  if (nr > 0) {
    char p[128];
    snprintf(p, sizeof p, "/proc/self/map_files/%lx-%lx", r[0].lo, r[0].hi);
    fd = step("map_files_rw", RAW4(SYS_openat, AT_FDCWD, p, O_RDWR, 0));
    if (fd >= 0) RAW4(SYS_pwrite64, fd, "\xcc", 1, 0);
  }
  return done();
}
