/* Process benchmarks, run natively and inside every runtime:
 *   procs forkexec COUNT PROGRAM   fork + execve(PROGRAM) + waitpid, COUNT times;
 *                                  every child must exit 0
 *   procs pipe                     /bin/sh -c 'dd if=/dev/zero bs=64k count=16k |
 *                                  cat > /dev/null'; dd must report all 16384
 *                                  records out (its stderr is read back) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report.h"

static int ForkExec(long count, const char* program) {
  char* const args[] = {(char*)program, NULL};
  char* const env[] = {"PATH=/bin:/usr/bin", NULL};
  /* Median over batches of 10 (see Median). */
  static double batch_ns[1 << 12];
  size_t batches = 0;
  for (long i = 0; i < count;) {
    uint64_t t0 = NowNs();
    long n = 0;
    for (; n < 10 && i < count; n++, i++) {
      pid_t pid = fork();
      if (pid < 0) Fail("forkexec", "fork");
      if (pid == 0) {
        execve(program, args, env);
        _exit(127);
      }
      int status;
      if (waitpid(pid, &status, 0) != pid) Fail("forkexec", "waitpid");
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        errno = 0;
        Fail("forkexec", "child did not exit 0 (exec failed?)");
      }
    }
    if (batches < sizeof batch_ns / sizeof batch_ns[0])
      batch_ns[batches++] = (double)(NowNs() - t0) / (double)n;
  }
  Result("forkexec", Median(batch_ns, batches), "ns/op", (uint64_t)count, (uint64_t)count);
  return 0;
}

static int Pipe(void) {
  enum { kRecords = 16384, kRecord = 65536 };
  int err[2];
  if (pipe2(err, O_CLOEXEC) != 0) Fail("pipe", "pipe2");
  uint64_t t0 = NowNs();
  pid_t pid = fork();
  if (pid < 0) Fail("pipe", "fork");
  if (pid == 0) {
    dup2(err[1], 2);
    execl("/bin/sh", "sh", "-c", "dd if=/dev/zero bs=64k count=16k | cat > /dev/null", NULL);
    _exit(127);
  }
  close(err[1]);
  char text[4096];
  size_t len = 0;
  for (ssize_t got; (got = read(err[0], text + len, sizeof text - 1 - len)) > 0;) len += got;
  text[len] = 0;
  int status;
  if (waitpid(pid, &status, 0) != pid) Fail("pipe", "waitpid");
  uint64_t ns = NowNs() - t0;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    errno = 0;
    Fail("pipe", "sh -c 'dd | cat' did not exit 0");
  }
  if (!strstr(text, "16384+0 records out")) {
    errno = 0;
    printf("FAIL pipe dd did not report 16384 records out: %s\n", text);
    return 1;
  }
  double mib = (double)kRecords * kRecord / (1 << 20);
  Result("pipe_dd_cat", mib / ((double)ns / 1e9), "MiB/s", kRecords, kRecords);
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 4 && strcmp(argv[1], "forkexec") == 0)
    return ForkExec(ArgLong(argc, argv, 2, 0), argv[3]);
  if (argc == 2 && strcmp(argv[1], "pipe") == 0) return Pipe();
  fputs("usage: procs forkexec COUNT PROGRAM | procs pipe\n", stderr);
  return 2;
}
