// Memory pressure, bounded so the shared test machine survives: huge
// reservations (must fail cleanly), then touch up to 256 MiB. The sandbox
// must end normally and the decoy must live.
#include <sys/mman.h>

#include "attack.h"

int main(void) {
  announce();
  long r = RAW6(SYS_mmap, 0, 1L << 46, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  step("mmap_64TiB", r);
  long touched = 0;
  for (int i = 0; i < 16; ++i) {
    long p =
        RAW6(SYS_mmap, 0, 16L << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p < 0) break;
    memset((void*)p, 0xa5, 16L << 20);
    touched += 16;
  }
  step("touched_mib", touched);
  step("brk_huge", RAW1(SYS_brk, 1L << 45));
  step("mlock_big", RAW2(SYS_mlockall, 3, 0));
  return done();
}
