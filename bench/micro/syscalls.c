/* Per-call cost of single system calls, run natively and inside every
 * runtime: the pass class (read of /dev/zero, write to a pipe), identity
 * (getpid, getppid: emulated in LiteBox) and path calls (open+close, stat,
 * getdents64 of a 1,000-entry directory; brokered by LiteBox's proxy).
 *
 * usage: syscalls BUDGET_MS DATA_DIR
 * DATA_DIR holds `small` (a regular file) and `dir1000/` (1,000 entries).
 * Last, a child repeats the two pass-class calls under a one-instruction
 * allow-all seccomp filter: natively that is the floor every seccomp-based
 * sandbox pays (the kernel's slow syscall entry), which runc and crun's
 * `runc spec` bundles do not pay. Then it adds a filter that traps getpid
 * to a SIGSYS handler that answers it: natively, the least a syscall
 * emulated through seccomp's SIGSYS costs (LiteBox's emulated class).
 * Each call runs until BUDGET_MS of wall time is spent (checked every
 * batch), so a slow runtime (gVisor ptrace: ~100 us per call) is measured
 * over fewer calls instead of running for minutes. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "report.h"

enum { kDirEntries = 1000 };

static uint64_t g_budget_ns;

enum { kMaxBatches = 1 << 16 };
static double g_batch_ns[kMaxBatches];

/* Runs `op` in batches of `batch` calls until the budget is spent (or
 * kMaxBatches batches ran); returns calls made and stores the median over
 * batches of the per-call time in *ns_per_op. The median, not the mean:
 * on a shared machine a preemption lands in a few batches and would
 * otherwise dominate a 100 ns figure. `op` returns 0 when the call did its
 * work. */
static uint64_t RunTimed(const char* name, int (*op)(void* ctx), void* ctx, int batch,
                         double* ns_per_op) {
  uint64_t spent = 0;
  int batches = 0;
  while (spent < g_budget_ns && batches < kMaxBatches) {
    uint64_t t0 = NowNs();
    for (int i = 0; i < batch; i++)
      if (op(ctx) != 0) Fail(name, "call did not do its work");
    uint64_t dt = NowNs() - t0;
    spent += dt;
    g_batch_ns[batches++] = (double)dt / batch;
  }
  *ns_per_op = Median(g_batch_ns, (size_t)batches);
  return (uint64_t)batches * (uint64_t)batch;
}

/* batch: calls between two clock reads; small for calls that take long
 * (a whole directory listing) so the budget is kept. */
static void Report(const char* name, int (*op)(void*), void* ctx, int batch,
                   unsigned long long check) {
  double ns_per_op;
  uint64_t calls = RunTimed(name, op, ctx, batch, &ns_per_op);
  Result(name, ns_per_op, "ns/op", check, calls);
}

static int ReadZero(void* ctx) {
  char c = 1;
  return syscall(SYS_read, *(int*)ctx, &c, 1) == 1 && c == 0 ? 0 : 1;
}

/* Writes 1 byte. Every 4,096 writes one read drains the pipe so it never
 * fills; that read is inside the timed batch and adds 1/4096 of a read to
 * each op, the same in every runtime. */
struct Pipe {
  int fd[2];
  int pending;
};
static int WritePipe(void* ctx) {
  struct Pipe* p = ctx;
  if (syscall(SYS_write, p->fd[1], "x", 1) != 1) return 1;
  if (++p->pending == 4096) {
    char buf[4096];
    if (read(p->fd[0], buf, sizeof buf) != 4096) return 1;
    p->pending = 0;
  }
  return 0;
}

static long g_ppid, g_pid;
static int GetPpid(void* ctx) {
  return syscall(SYS_getppid) == g_ppid ? 0 : 1;
}
static int GetPid(void* ctx) {
  return syscall(SYS_getpid) == g_pid ? 0 : 1;
}

static int OpenClose(void* ctx) {
  int fd = (int)syscall(SYS_openat, AT_FDCWD, (const char*)ctx, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 1;
  return syscall(SYS_close, fd) == 0 ? 0 : 1;
}

static off_t g_small_size;
static int Stat(void* ctx) {
  struct stat st;
  return stat((const char*)ctx, &st) == 0 && st.st_size == g_small_size ? 0 : 1;
}

/* Lists the whole directory; counts entries other than . and .. */
static long ListDir(const char* path) {
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  char buf[32768];
  long n = 0;
  for (;;) {
    long got = syscall(SYS_getdents64, fd, buf, sizeof buf);
    if (got < 0) {
      close(fd);
      return -1;
    }
    if (got == 0) break;
    for (long off = 0; off < got;) {
      struct dirent64* d = (struct dirent64*)(buf + off);
      if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0) n++;
      off += d->d_reclen;
    }
  }
  close(fd);
  return n;
}
static int GetDents(void* ctx) {
  return ListDir((const char*)ctx) == kDirEntries ? 0 : 1;
}

static long g_trap_answer;
static void AnswerSigsys(int sig, siginfo_t* si, void* uc) {
  ((ucontext_t*)uc)->uc_mcontext.gregs[REG_RAX] = g_trap_answer;
}

/* The pass-class calls again in a child that first loads an allow-all
 * filter (never removable, hence the child). */
static void SeccompFloor(void) {
  pid_t pid = fork();
  if (pid < 0) Fail("seccomp_floor", "fork");
  if (pid == 0) {
    struct sock_filter allow[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
    struct sock_fprog prog = {1, allow};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
      Fail("seccomp_floor", "cannot load an allow-all seccomp filter");
    int zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
    if (zero < 0) Fail("seccomp_floor_read_devzero", "open /dev/zero");
    Report("seccomp_floor_read_devzero", ReadZero, &zero, 256, 1);
    struct Pipe p = {.pending = 0};
    if (pipe2(p.fd, O_CLOEXEC) != 0) Fail("seccomp_floor_write_pipe", "pipe2");
    Report("seccomp_floor_write_pipe", WritePipe, &p, 256, 1);

    g_pid = syscall(SYS_getpid);
    g_trap_answer = g_pid;
    struct sigaction sa = {0};
    sa.sa_sigaction = AnswerSigsys;
    sa.sa_flags = SA_SIGINFO;
    sigfillset(&sa.sa_mask);
    struct sock_filter trap[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getpid, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
    struct sock_fprog trap_prog = {4, trap};
    if (sigaction(SIGSYS, &sa, NULL) != 0 ||
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &trap_prog) != 0)
      Fail("seccomp_floor_trap_getpid", "cannot load a getpid-trapping filter");
    Report("seccomp_floor_trap_getpid", GetPid, NULL, 256, 1);
    _exit(0);
  }
  int st = 0;
  if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
    Fail("seccomp_floor", "the measuring child failed");
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: syscalls BUDGET_MS DATA_DIR\n");
    return 2;
  }
  g_budget_ns = (uint64_t)ArgLong(argc, argv, 1, 200) * 1000000ull;
  char small[4096], dir[4096];
  snprintf(small, sizeof small, "%s/small", argv[2]);
  snprintf(dir, sizeof dir, "%s/dir1000", argv[2]);

  int zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
  if (zero < 0) Fail("read_devzero", "open /dev/zero");
  Report("read_devzero", ReadZero, &zero, 256, 1);
  close(zero);

  struct Pipe p = {.pending = 0};
  if (pipe2(p.fd, O_CLOEXEC) != 0) Fail("write_pipe", "pipe2");
  Report("write_pipe", WritePipe, &p, 256, 1);

  g_pid = syscall(SYS_getpid);
  g_ppid = syscall(SYS_getppid);
  Report("getpid", GetPid, NULL, 256, 1);
  Report("getppid", GetPpid, NULL, 256, 1);

  struct stat st;
  if (stat(small, &st) != 0) Fail("stat", small);
  g_small_size = st.st_size;
  Report("open_close", OpenClose, small, 256, 1);
  Report("stat", Stat, small, 256, (unsigned long long)g_small_size);

  long entries = ListDir(dir);
  if (entries != kDirEntries) Fail("getdents_1000", "dir1000 does not hold 1000 entries");
  Report("getdents_1000", GetDents, dir, 4, (unsigned long long)entries);
  fflush(stdout); /* the child's lines must not repeat ours */
  SeccompFloor();
  return 0;
}
