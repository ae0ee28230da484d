// Interpreters from the host: a `#!` script naming the litebox binary's
// host path (and a `..` path to host /bin/sh), exec'd with execve. The libOS
// loads the interpreter through the proxy, so neither exists.
#include "attack.h"

static long write_script(const char* path, const char* interp) {
  long fd = RAW4(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
  if (fd < 0) return fd;
  char buf[4096];
  int n = snprintf(buf, sizeof buf, "#!%s\necho ran\n", interp);
  RAW3(SYS_write, fd, buf, n);
  RAW1(SYS_close, fd);
  return 0;
}

int main(void) {
  announce();
  char* argv[] = {(char*)"s", NULL};
  char* envp[] = {NULL};
  step("write_host_interp", write_script("/tmp/s1", host("ESC_LITEBOX")));
  step("exec_host_interp", RAW3(SYS_execve, "/tmp/s1", argv, envp));
  step("write_dotdot_interp", write_script("/tmp/s2", "/../../../../../usr/bin/perl"));
  step("exec_dotdot_interp", RAW3(SYS_execve, "/tmp/s2", argv, envp));
  step("write_planted_interp", write_script("/tmp/s3", "/planted_abs"));
  step("exec_planted_interp", RAW3(SYS_execve, "/tmp/s3", argv, envp));
  return done();
}
