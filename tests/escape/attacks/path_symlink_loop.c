// Symlink loops (self, pair) must end in ELOOP, not hang the proxy.
#include "attack.h"

int main(void) {
  announce();
  RAW2(SYS_symlink, "/tmp/self", "/tmp/self");
  RAW2(SYS_symlink, "/tmp/b", "/tmp/a");
  RAW2(SYS_symlink, "/tmp/a", "/tmp/b");
  RAW2(SYS_symlink, "loopdir/loopdir", "/tmp/loopdir");
  try_read("self_loop", "/tmp/self");
  try_read("pair_loop", "/tmp/a");
  try_read("dir_loop", "/tmp/loopdir/x");
  long t0 = now_ms();
  for (int i = 0; i < 200; ++i) RAW4(SYS_openat, AT_FDCWD, "/tmp/a", O_RDONLY, 0);
  // The proxy answers a loop quickly: 200 lookups well under 5 s.
  step("200_loops_fast", now_ms() - t0 < 5000 ? 0 : -ETIMEDOUT);
  return done();
}
