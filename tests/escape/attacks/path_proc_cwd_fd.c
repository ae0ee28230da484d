// /proc/self/cwd and /proc/self/fd/N as path components: magic links the
// host kernel would follow to wherever the fd points.
#include "attack.h"

int main(void) {
  announce();
  const char* decoy = host("ESC_DECOY");
  char path[8192];
  RAW1(SYS_chdir, "/tmp");
  try_read("self_cwd_dotdot", "/proc/self/cwd/../../decoy/secret");
  snprintf(path, sizeof path, "/proc/self/cwd/../../../../..%s", decoy);
  try_read("self_cwd_host_path", path);
  long root = RAW4(SYS_openat, AT_FDCWD, "/", O_RDONLY | O_DIRECTORY, 0);
  step("open_root", root);
  snprintf(path, sizeof path, "/proc/self/fd/%ld/../decoy/secret", root);
  try_read("fd_dir_dotdot", path);
  snprintf(path, sizeof path, "/proc/self/fd/%ld%s", root, decoy);
  try_read("fd_dir_host_path", path);
  // The libOS's channel (and the numbers after it, free): hidden or absent.
  for (int fd = LB_CHANNEL_FD; fd < LB_CHANNEL_FD + 8; ++fd) {
    char label[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    snprintf(label, sizeof label, "reserved_fd_%d", fd);
    try_read(label, path);
  }
  try_read("fd_stdin_dotdot", "/proc/self/fd/0/../../decoy/secret");
  return done();
}
