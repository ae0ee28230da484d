/* Host-side timer for start-up benchmarks: runs ARGV once and prints the
 * wall time from just before fork to just after the child was reaped, so
 * the harness's own (Python) spawn cost is not counted.
 *   timeit OUT_FILE -- PROGRAM [ARGS...]
 * The child's stdout/stderr pass through; OUT_FILE gets "<ns> <exit status>";
 * OUT_FILE "-" prints "RESULT exec <ms> ms <exit status> 1" to stdout instead
 * (the micro programs' format), for use inside a container.
 *   timeit OUT_FILE --chroot DIR -- PROGRAM [ARGS...]
 * runs the child chrooted into DIR with the containers' environment
 * (PATH, HOME only): the "native" baseline over the same rootfs, with no
 * namespace and no seccomp filter.
 * Its exit status is the child's. */
#define _GNU_SOURCE
#include <sys/wait.h>
#include <unistd.h>

#include "report.h"

int main(int argc, char** argv) {
  const char* root = NULL;
  int dashes = 2; /* index of "--" */
  if (argc >= 4 && strcmp(argv[2], "--chroot") == 0) {
    root = argv[3];
    dashes = 4;
  }
  if (argc < dashes + 2 || strcmp(argv[dashes], "--") != 0) {
    fputs("usage: timeit OUT_FILE [--chroot DIR] -- PROGRAM [ARGS...]\n", stderr);
    return 2;
  }
  char** child_argv = argv + dashes + 1;
  int to_stdout = strcmp(argv[1], "-") == 0;
  FILE* out = to_stdout ? NULL : fopen(argv[1], "w");
  if (!to_stdout && !out) {
    fprintf(stderr, "timeit: %s: %s\n", argv[1], strerror(errno));
    return 2;
  }
  uint64_t t0 = NowNs();
  pid_t pid = fork();
  if (pid < 0) {
    perror("timeit: fork");
    return 2;
  }
  if (pid == 0) {
    if (root) {
      if (chroot(root) != 0 || chdir("/") != 0) {
        fprintf(stderr, "timeit: chroot %s: %s\n", root, strerror(errno));
        _exit(127);
      }
      /* The same environment the bundles and `litebox do` give: the host's
       * (locale, PYTHON*, ...) would make native do different work. */
      clearenv();
      setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
      setenv("HOME", "/root", 1);
    }
    execvp(child_argv[0], child_argv);
    fprintf(stderr, "timeit: exec %s: %s\n", child_argv[0], strerror(errno));
    _exit(127);
  }
  int status;
  if (waitpid(pid, &status, 0) != pid) {
    perror("timeit: waitpid");
    return 2;
  }
  uint64_t ns = NowNs() - t0;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (to_stdout) {
    Result("exec", (double)ns / 1e6, "ms", (unsigned long long)code, 1);
  } else {
    fprintf(out, "%llu %d\n", (unsigned long long)ns, code);
    fclose(out);
  }
  return code;
}
