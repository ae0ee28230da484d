// The x32 ABI (bit 0x40000000): a second syscall table with different
// numbers the filter must not let through. Expected: the process is killed.
#include "attack.h"

int main(void) {
  announce();
  out("TRYING x32 openat\n");
  long r = raw6(0x40000000 | 257, AT_FDCWD, (long)host("ESC_DECOY"), O_RDONLY, 0, 0, 0);
  step("x32_openat", r);
  dump_fd("x32_openat", r);
  return done();
}
