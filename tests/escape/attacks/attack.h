// Shared helpers for the escape-suite attack programs (static C, run inside
// `litebox do`). Each attack reports what it tried and what it got on stdout,
// one line per step, so the host-side driver can assert the expected outcome:
//
//   STEP <label> OK <value>        the call returned <value> >= 0
//   STEP <label> <ERRNAME> <-n>    the call failed with errno n
//   DATA <label> <bytes>           whatever an attack managed to read
//   HOSTTID <n>                    the host thread id (raw gettid passes)
//   DONE                           the attack ran to its end
//
// The driver passes host facts (the decoy's host path and pid, socket
// names, ...) in ESC_* environment variables. The attack never learns the
// decoy's content: the driver greps the output for it.
#pragma once

#ifndef _GNU_SOURCE  // also set by CMake, so headers included first see it
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

// The libOS's channel to its supervisor, the one fd it keeps in every guest
// process: litebox::abi::kChannelFd (libos/abi/constants.h; the driver
// checks the two agree).
#define LB_CHANNEL_FD 1024

// A raw syscall instruction in the attack's own code: no libc wrapper, no
// fallback, the kernel (and so the partition filter) sees exactly these
// arguments. Returns the kernel's value (-errno on failure).
static inline long raw6(long n, long a, long b, long c, long d, long e, long f) {
  long ret;
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
}
#define RAW0(n) raw6((n), 0, 0, 0, 0, 0, 0)
#define RAW1(n, a) raw6((n), (long)(a), 0, 0, 0, 0, 0)
#define RAW2(n, a, b) raw6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define RAW3(n, a, b, c) raw6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define RAW4(n, a, b, c, d) raw6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define RAW5(n, a, b, c, d, e) raw6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)
#define RAW6(n, a, b, c, d, e, f) \
  raw6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

// Unbuffered line output: an attack may be killed at any moment, and what it
// printed before must reach the driver.
static inline void out(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
#include <stdarg.h>
static inline void out(const char* fmt, ...) {
  char buf[8192];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (n > (int)sizeof buf - 1) n = sizeof buf - 1;
  for (int off = 0; off < n;) {
    long w = RAW3(SYS_write, 1, buf + off, n - off);
    if (w <= 0) return;
    off += (int)w;
  }
}

static inline const char* errname(long e) {
  const char* s = strerrorname_np((int)e);
  return s ? s : "E?";
}

// Reports a raw return value (>= 0 success, < 0 = -errno) and returns it.
static inline long step(const char* label, long ret) {
  if (ret >= 0)
    out("STEP %s OK %ld\n", label, ret);
  else
    out("STEP %s %s %ld\n", label, errname(-ret), ret);
  return ret;
}

// Same for a libc call that returned -1/errno.
static inline long step_libc(const char* label, long ret) {
  return step(label, ret < 0 ? -(long)errno : ret);
}

// Prints up to 4 KiB of what `fd` yields as DATA (the driver greps it for
// the decoy token), then closes fd.
static inline void dump_fd(const char* label, long fd) {
  if (fd < 0) return;
  char buf[4097];
  long n = RAW3(SYS_read, fd, buf, 4096);
  if (n > 0) {
    buf[n] = 0;
    for (long i = 0; i < n; ++i)
      if (buf[i] == '\n' || buf[i] == 0) buf[i] = ' ';
    out("DATA %s %s\n", label, buf);
  }
  RAW1(SYS_close, fd);
}

// Opens `path` with raw openat(AT_FDCWD), reports the step, prints the data.
static inline long try_read(const char* label, const char* path) {
  long fd = step(label, RAW4(SYS_openat, AT_FDCWD, path, O_RDONLY, 0));
  dump_fd(label, fd);
  return fd;
}

// A host fact the driver passed; exits loudly when missing.
static inline const char* host(const char* key) {
  const char* v = getenv(key);
  if (v == NULL || v[0] == 0) {
    out("MISSING-ENV %s\n", key);
    exit(90);
  }
  return v;
}
static inline long host_num(const char* key) {
  return strtol(host(key), NULL, 10);
}

static inline void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  RAW2(SYS_nanosleep, &ts, 0);
}

// Tells the driver our host thread id (gettid passes natively), so it can
// find the sandbox's host uid and later check no process of it survives.
static inline void announce(void) {
  out("HOSTTID %ld\n", RAW0(SYS_gettid));
  sleep_ms(150);
}

static inline int done(void) {
  out("DONE\n");
  return 0;
}

// Monotonic milliseconds (clock_gettime passes / vDSO).
#include <time.h>
static inline long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}
