// Finding and calling the libOS's gate (its one `syscall; ret`), which the
// partition filter recognises by instruction pointer. Everything allowed
// at the gate must be harmless with any arguments: these attacks check.
#pragma once

#include "attack.h"

struct region {
  unsigned long lo, hi;
};

// Mappings of the libOS image (named litebox-guest in /proc/self/maps) with
// the given permission string prefix ("r-x", "rw-").
static inline int libos_regions(const char* perms, struct region* r, int max) {
  long fd = RAW4(SYS_openat, AT_FDCWD, "/proc/self/maps", O_RDONLY, 0);
  if (fd < 0) return (int)fd;
  static char maps[1 << 16];
  long n = 0, got;
  while ((got = RAW3(SYS_read, fd, maps + n, sizeof maps - 1 - n)) > 0) n += got;
  RAW1(SYS_close, fd);
  maps[n] = 0;
  int count = 0;
  for (char* line = maps; line && *line && count < max;) {
    char* eol = strchr(line, '\n');
    if (eol) *eol = 0;
    unsigned long lo, hi;
    char p[8];
    if (strstr(line, "litebox-guest") && sscanf(line, "%lx-%lx %4s", &lo, &hi, p) == 3 &&
        strncmp(p, perms, strlen(perms)) == 0) {
      r[count].lo = lo;
      r[count].hi = hi;
      ++count;
    }
    line = eol ? eol + 1 : NULL;
  }
  return count;
}

// Address of the gate (the `syscall` of lb_syscall6) in the libOS text, or 0.
static inline unsigned char* find_gate(void) {
  struct region r[8];
  int n = libos_regions("r-x", r, 8);
  for (int i = 0; i < n; ++i)
    for (unsigned char* p = (unsigned char*)r[i].lo; p + 8 <= (unsigned char*)r[i].hi; ++p)
      // lb_syscall6's tail: mov 0x8(%rsp),%r9; syscall; ret. (The libOS has
      // another `syscall; ret`, in its trap-free entry, which the filter
      // judges as application code: not the gate.)
      if (p + 8 <= (unsigned char*)r[i].hi && p[0] == 0x4c && p[1] == 0x8b && p[2] == 0x4c &&
          p[3] == 0x24 && p[4] == 0x08 && p[5] == 0x0f && p[6] == 0x05 && p[7] == 0xc3)
        return p + 5;
  return 0;
}

// Calls the gate with a syscall number and six arguments. The 128-byte
// step over the red zone keeps `call`'s return address off live locals.
static inline long gate6(void* gate, long n, long a, long b, long c, long d, long e, long f) {
  long ret;
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  __asm__ volatile(
      "sub $128, %%rsp\n\t"
      "call *%[g]\n\t"
      "add $128, %%rsp"
      : "=a"(ret)
      : [g] "r"(gate), "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
      : "rcx", "r11", "memory");
  return ret;
}
#define GATE(g, n, a, b, c, d, e, f) \
  gate6((g), (n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))
