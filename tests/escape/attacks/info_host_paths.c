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

int main(void) {
  announce();
  link_of("self_root", "/proc/self/root");
  link_of("self_cwd", "/proc/self/cwd");
  link_of("self_exe", "/proc/self/exe");
  link_of("self_fd0", "/proc/self/fd/0");
  try_read("mountinfo", "/proc/self/mountinfo");
  try_read("mounts", "/proc/mounts");
  try_read("cgroup", "/proc/self/cgroup");
  try_read("pid1_environ", "/proc/1/environ");
  try_read("pid1_cmdline", "/proc/1/cmdline");
  char cwd[4096];
  long n = step("getcwd", RAW2(SYS_getcwd, cwd, sizeof cwd));
  if (n > 0) out("DATA getcwd %s\n", cwd);
  return done();
}
