// Exec an image that never touched the rootfs: copy our own ELF (read via
// /proc/self/exe) into a memfd and execveat it. It must run inside the
// sandbox like anything else (the child prints the decoy attempts).
#include "attack.h"

int main(int argc, char** argv) {
  if (argc > 1) {  // the re-executed image
    try_read("child_dotdot", "/../decoy/secret");
    out("STEP child_ran OK 0\n");
    return 0;
  }
  announce();
  long src = step("open_self_exe", RAW4(SYS_openat, AT_FDCWD, "/proc/self/exe", O_RDONLY, 0));
  long mfd = step("memfd_create", RAW2(SYS_memfd_create, "img", 0));
  static char buf[1 << 16];
  long n, total = 0;
  while (src >= 0 && (n = RAW3(SYS_read, src, buf, sizeof buf)) > 0)
    total += RAW3(SYS_write, mfd, buf, n);
  step("copied_bytes", total > 0 ? 0 : -EIO);
  long c = RAW0(SYS_fork);
  if (c == 0) {
    char* av[] = {(char*)"memfd", (char*)"child", NULL};
    extern char** environ;
    long r = RAW5(SYS_execveat, mfd, "", av, environ, 0x1000 /* AT_EMPTY_PATH */);
    out("STEP execveat_memfd %s %ld\n", errname(-r), r);
    RAW1(SYS_exit, 1);
  }
  int st;
  RAW4(SYS_wait4, c, &st, 0, 0);
  return done();
}
