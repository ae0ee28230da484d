// The i386 entry (int $0x80) from a 64-bit process: the filter sees
// AUDIT_ARCH_I386 with different numbers (5 = open). Expected: killed.
#include "attack.h"

static char path[4096];

int main(void) {
  announce();
  // int 0x80 takes 32-bit pointers: copy the path to a low static buffer.
  snprintf(path, sizeof path, "%s", host("ESC_DECOY"));
  out("TRYING int80 open\n");
  long ret;
  __asm__ volatile("int $0x80" : "=a"(ret) : "a"(5), "b"(path), "c"(0), "d"(0) : "memory");
  step("int80_open", ret);
  dump_fd("int80_open", ret);
  return done();
}
