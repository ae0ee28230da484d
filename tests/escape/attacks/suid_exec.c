// Run as --user 1000:1000: exec the setuid-root /attack/suid_probe planted
// in the rootfs. The virtual euid may become 0 (as in a container); on the
// host, no_new_privs and the sandbox uid keep it powerless. Also
// ptrace(TRACEME) before exec, the old trick to keep a suid child traced.
#include <sys/wait.h>

#include "attack.h"

int main(void) {
  announce();
  step("start_euid", RAW0(SYS_geteuid));
  long c = RAW0(SYS_fork);
  if (c == 0) {
    char* argv[] = {(char*)"suid_probe", NULL};
    extern char** environ;
    RAW4(SYS_ptrace, 0 /* TRACEME */, 0, 0, 0);
    long r = RAW3(SYS_execve, "/attack/suid_probe", argv, environ);
    out("STEP exec_suid_probe %s %ld\n", errname(-r), r);
    RAW1(SYS_exit, 1);
  }
  int st = 0;
  wait4(c, &st, 0, NULL);
  step("probe_exit_status", WIFEXITED(st) ? WEXITSTATUS(st) : -EINTR);
  return done();
}
