// What the sandbox learns about the host's layout: readlink of the /proc
// magic links, mountinfo, cgroup, environ and cmdline of pid 1. The driver
// checks the host scratch directory (where the rootfs lives) never shows.
#include "attack.h"

static void link_of(const char* label, const char* path) {
  char buf[4096];
  long n = step(label, RAW3(SYS_readlink, path, buf, sizeof buf - 1));
  if (n > 0) {
    buf[n] = 0;
    out("DATA %s %s\n", label, buf);
  }
}

// pid 1's environment minus the entries this program was started with
// (pid 1 is this program, and the driver hands it host facts in ESC_*
// variables on purpose): whatever else shows (the host's own environment
// of the process, say) is printed for the driver's oracles.
extern char** environ;
static void environ_beyond_own(const char* label, const char* path) {
  long fd = step(label, RAW4(SYS_openat, AT_FDCWD, path, O_RDONLY, 0));
  if (fd < 0) return;
  static char buf[65536];
  long n = 0, r;
  while (n < (long)sizeof buf - 1 && (r = RAW3(SYS_read, fd, buf + n, sizeof buf - 1 - n)) > 0)
    n += r;
  RAW1(SYS_close, fd);
  buf[n] = 0;
  int own = 0, other = 0;
  for (long i = 0; i < n;) {
    const char* e = buf + i;
    size_t len = strlen(e);
    int mine = 0;
    for (char** v = environ; *v && !mine; ++v) mine = strcmp(*v, e) == 0;
    if (mine) {
      ++own;
    } else {
      ++other;
      out("DATA %s %s\n", label, e);
    }
    i += (long)len + 1;
  }
  out("DATA %s own=%d other=%d\n", label, own, other);
}

int main(void) {
  announce();
  link_of("self_root", "/proc/self/root");
  link_of("self_cwd", "/proc/self/cwd");
  link_of("self_exe", "/proc/self/exe");
  link_of("self_fd0", "/proc/self/fd/0");
  try_read("mountinfo", "/proc/self/mountinfo");
  try_read("mounts", "/proc/mounts");
  try_read("cgroup", "/proc/self/cgroup");
  environ_beyond_own("pid1_environ", "/proc/1/environ");
  try_read("pid1_cmdline", "/proc/1/cmdline");
  char cwd[4096];
  long n = step("getcwd", RAW2(SYS_getcwd, cwd, sizeof cwd));
  if (n > 0) out("DATA getcwd %s\n", cwd);
  return done();
}
