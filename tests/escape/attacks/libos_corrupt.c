// Corrupt the libOS: make its data segments writable and fill them with
// 0xff (and its text with int3 after the gate), then make emulated calls
// that would reach the host if the libOS's checks were the boundary. The
// process may crash; the host must not notice.
#include <signal.h>
#include <sys/mman.h>

#include "gate.h"

int main(int argc, char** argv) {
  announce();
  struct region r[8];
  int n = libos_regions("rw-", r, 8);
  step("find_libos_data", n > 0 ? n : -ENOENT);
  for (int i = 0; i < n; ++i) {
    RAW3(SYS_mprotect, r[i].lo, r[i].hi - r[i].lo, PROT_READ | PROT_WRITE);
    memset((void*)r[i].lo, argc > 1 ? 0 : 0xff, r[i].hi - r[i].lo);
  }
  out("CORRUPTED %d\n", n);
  long fd = RAW4(SYS_openat, AT_FDCWD, host("ESC_DECOY"), O_RDONLY, 0);
  dump_fd("open_host_decoy", fd);
  fd = RAW4(SYS_openat, AT_FDCWD, "/../decoy/secret", O_RDONLY, 0);
  dump_fd("open_dotdot", fd);
  RAW2(SYS_kill, host_num("ESC_DECOY_PID"), SIGKILL);
  RAW5(SYS_mount, "none", "/tmp", "tmpfs", 0, 0);
  RAW1(SYS_unshare, 0x10000000);
  out("SURVIVED\n");
  return done();
}
