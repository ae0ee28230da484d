// /proc/self/root and /proc/<pid>/root: on the host a magic link to the
// process's root; inside it must be the sandbox root, never the host's.
#include "attack.h"

int main(void) {
  announce();
  const char* decoy = host("ESC_DECOY");
  char path[8192];
  snprintf(path, sizeof path, "/proc/self/root%s", decoy);
  try_read("self_root_host_path", path);
  try_read("self_root_dotdot", "/proc/self/root/../decoy/secret");
  try_read("self_root_dotdot2", "/proc/self/root/../../decoy/secret");
  snprintf(path, sizeof path, "/proc/1/root%s", decoy);
  try_read("pid1_root_host_path", path);
  try_read("pid1_root_dotdot", "/proc/1/root/../decoy/secret");
  snprintf(path, sizeof path, "/proc/thread-self/root%s", decoy);
  try_read("thread_self_root_host_path", path);
  // The decoy's host pid: not a process of this sandbox.
  snprintf(path, sizeof path, "/proc/%s/root%s", host("ESC_DECOY_PID"), decoy);
  try_read("decoy_pid_root", path);
  snprintf(path, sizeof path, "/proc/%s/cmdline", host("ESC_DECOY_PID"));
  try_read("decoy_pid_cmdline", path);
  char link[4096];
  long n = RAW3(SYS_readlink, "/proc/self/root", link, sizeof link - 1);
  step("readlink_self_root", n);
  if (n > 0) {
    link[n] = 0;
    out("DATA readlink_self_root %s\n", link);
  }
  return done();
}
