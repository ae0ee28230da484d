// execve of host binaries: the litebox binary's absolute host path, host
// /usr/bin/id through `..`, and the planted symlink. None exist inside.
#include "attack.h"

int main(void) {
  announce();
  const char* lb = host("ESC_LITEBOX");
  char* argv[] = {(char*)"x", (char*)"--help", NULL};
  char* envp[] = {NULL};
  step("execve_litebox_host_path", RAW3(SYS_execve, lb, argv, envp));
  step("execve_dotdot_host", RAW3(SYS_execve, "/../../../../../usr/bin/id", argv, envp));
  step("execve_planted_abs", RAW3(SYS_execve, "/planted_abs", argv, envp));
  step("execveat_dotdot", RAW5(SYS_execveat, AT_FDCWD, "../../../usr/bin/id", argv, envp, 0));
  long root = RAW4(SYS_openat, AT_FDCWD, "/", O_RDONLY | O_DIRECTORY, 0);
  step("execveat_rootfd_dotdot", RAW5(SYS_execveat, root, "../../../../usr/bin/id", argv, envp, 0));
  // The libOS's channel and the numbers around it: exec through them.
  for (int fd = LB_CHANNEL_FD - 1; fd < LB_CHANNEL_FD + 3; ++fd)
    if (RAW5(SYS_execveat, fd, "", argv, envp, 0x1000 /* AT_EMPTY_PATH */) >= 0)
      out("EXECED %d\n", fd);
  step("execveat_reserved_fds_failed", 0);
  return done();
}
