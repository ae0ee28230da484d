// Syscall sites called again and again. Natively nothing special happens;
// under LiteBox a site that traps twice is rewritten to reach the libOS
// without a trap (libos/site_patch.cpp), so these cases check that a
// rewritten site answers exactly as the kernel would: results, registers
// and flags preserved, from several threads racing to the same sites, from
// a signal handler on an alternate stack, through glibc's syscall() with
// numbers that pass to the kernel and numbers the libOS answers, in a fork
// child, and in a program that execs after its sites were rewritten.
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#include "tests/conformance/scratch.hpp"

namespace conformance {
namespace {

constexpr int kRounds = 500;

TEST(SyscallSitesTest, RepeatedCallsKeepTheirAnswers) {
  const pid_t pid = getpid();
  const uid_t uid = getuid();
  struct stat first;
  ASSERT_EQ(stat("/", &first), 0);
  const std::string file = ScratchRoot() + "/repeat";
  WriteFile(file, "x");
  for (int i = 0; i < kRounds; ++i) {
    ASSERT_EQ(getpid(), pid) << "round " << i;
    ASSERT_EQ(getuid(), uid) << "round " << i;
    struct stat st;
    ASSERT_EQ(stat("/", &st), 0) << "round " << i;
    ASSERT_EQ(st.st_ino, first.st_ino);
    int fd = open(file.c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0) << "round " << i;
    close(fd);
    errno = 0;
    ASSERT_EQ(open("/no/such/file", O_RDONLY), -1);
    ASSERT_EQ(errno, ENOENT) << "round " << i;
  }
}

// Every register the kernel keeps across `syscall` (all but rax, rcx, r11)
// and the flags, around an inline `mov $39, %eax; syscall` (getpid) made
// from the same site many times.
TEST(SyscallSitesTest, InlineSiteKeepsRegistersAndFlags) {
  const long pid = getpid();
  for (int i = 0; i < 20; ++i) {
    uint64_t in[11] = {0x1111111111111111, 0x2222222222222222, 0x3333333333333333,
                       0x4444444444444444, 0x5555555555555555, 0x6666666666666666,
                       0x7777777777777777, 0x8888888888888888, 0x9999999999999999,
                       0xaaaaaaaaaaaaaaaa, 0xbbbbbbbbbbbbbbbb};
    uint64_t out[11] = {};
    uint64_t flags_out = 0, xmm_out[2] = {};
    const uint64_t xmm_in[2] = {0x0123456789abcdef, 0xfedcba9876543210};
    long ret;
    // Operands may sit in rbx, rbp, r12-r15: read before those are set,
    // and those are restored before the outputs are written.
    asm volatile(
        "mov %[in], %%r11\n\t"
        "movdqu (%[xi]), %%xmm7\n\t"
        "push %%rbp\n\t"
        "push %%rbx\n\t"
        "push %%r12\n\t"
        "push %%r13\n\t"
        "push %%r14\n\t"
        "push %%r15\n\t"
        "push %[out]\n\t"
        "mov 0(%%r11), %%rbx\n\t"
        "mov 8(%%r11), %%rbp\n\t"
        "mov 16(%%r11), %%r12\n\t"
        "mov 24(%%r11), %%r13\n\t"
        "mov 32(%%r11), %%r14\n\t"
        "mov 40(%%r11), %%r15\n\t"
        "mov 48(%%r11), %%rdi\n\t"
        "mov 56(%%r11), %%rsi\n\t"
        "mov 64(%%r11), %%rdx\n\t"
        "mov 72(%%r11), %%r10\n\t"
        "mov 80(%%r11), %%r8\n\t"
        "stc\n\t"
        "mov $39, %%eax\n\t"
        "syscall\n\t"
        "pushfq\n\t"
        "pop %%r9\n\t"
        "mov 0(%%rsp), %%rcx\n\t"
        "mov %%rbx, 0(%%rcx)\n\t"
        "mov %%rbp, 8(%%rcx)\n\t"
        "mov %%r12, 16(%%rcx)\n\t"
        "mov %%r13, 24(%%rcx)\n\t"
        "mov %%r14, 32(%%rcx)\n\t"
        "mov %%r15, 40(%%rcx)\n\t"
        "mov %%rdi, 48(%%rcx)\n\t"
        "mov %%rsi, 56(%%rcx)\n\t"
        "mov %%rdx, 64(%%rcx)\n\t"
        "mov %%r10, 72(%%rcx)\n\t"
        "mov %%r8, 80(%%rcx)\n\t"
        "add $8, %%rsp\n\t"
        "pop %%r15\n\t"
        "pop %%r14\n\t"
        "pop %%r13\n\t"
        "pop %%r12\n\t"
        "pop %%rbx\n\t"
        "pop %%rbp\n\t"
        "mov %%r9, (%[fl])\n\t"
        "movdqu %%xmm7, (%[xo])\n\t"
        : "=&a"(ret)
        : [in] "r"(in), [out] "r"(out), [xi] "r"(xmm_in), [xo] "r"(xmm_out), [fl] "r"(&flags_out)
        : "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "xmm7", "memory", "cc");
    ASSERT_EQ(ret, pid) << "round " << i;
    for (int r = 0; r < 11; ++r) EXPECT_EQ(out[r], in[r]) << "register #" << r << " round " << i;
    EXPECT_TRUE(flags_out & 1) << "carry flag lost, round " << i;
    EXPECT_EQ(xmm_out[0], xmm_in[0]);
    EXPECT_EQ(xmm_out[1], xmm_in[1]);
  }
}

// glibc's syscall(): one site for every number. Numbers the kernel answers
// (write, read, getppid... as the partition has it) and numbers the libOS
// answers take turns there.
TEST(SyscallSitesTest, SyscallFunctionServesEveryNumber) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  Fd r(p[0]), w(p[1]);
  const long pid = getpid(), ppid = getppid(), uid = getuid();
  for (int i = 0; i < kRounds; ++i) {
    ASSERT_EQ(syscall(SYS_getpid), pid) << "round " << i;
    char c = static_cast<char>('a' + i % 26);
    ASSERT_EQ(syscall(SYS_write, w.get(), &c, 1), 1) << "round " << i;
    ASSERT_EQ(syscall(SYS_getuid), uid);
    char got = 0;
    ASSERT_EQ(syscall(SYS_read, r.get(), &got, 1), 1);
    ASSERT_EQ(got, c);
    ASSERT_EQ(syscall(SYS_getppid), ppid);
    errno = 0;
    ASSERT_EQ(syscall(SYS_close, -1), -1);
    ASSERT_EQ(errno, EBADF);
    errno = 0;
    ASSERT_EQ(syscall(SYS_openat, AT_FDCWD, "/no/such/file", O_RDONLY, 0), -1);
    ASSERT_EQ(errno, ENOENT);
  }
}

struct RaceArgs {
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  pid_t pid = 0;
  std::string file;
  std::atomic<int> failures{0};
};

void* Racer(void* arg) {
  auto* a = static_cast<RaceArgs*>(arg);
  a->ready.fetch_add(1);
  while (!a->go.load()) {
  }
  for (int i = 0; i < kRounds; ++i) {
    if (getpid() != a->pid) a->failures.fetch_add(1);
    struct stat st;
    if (stat(a->file.c_str(), &st) != 0 || st.st_size != 5) a->failures.fetch_add(1);
    if (syscall(SYS_getpid) != a->pid) a->failures.fetch_add(1);
  }
  return nullptr;
}

TEST(SyscallSitesTest, ThreadsRaceToTheSameSites) {
  RaceArgs a;
  a.pid = getpid();
  a.file = ScratchRoot() + "/race";
  WriteFile(a.file, "hello");
  constexpr int kThreads = 4;
  pthread_t ts[kThreads];
  int started = 0;
  for (; started < kThreads; ++started)
    if (pthread_create(&ts[started], nullptr, Racer, &a) != 0) break;
  while (a.ready.load() < started) {
  }
  a.go.store(true);
  Racer(&a);  // this thread too
  for (int i = 0; i < started; ++i) EXPECT_EQ(pthread_join(ts[i], nullptr), 0);
  EXPECT_EQ(started, kThreads);
  EXPECT_EQ(a.failures.load(), 0);
}

std::atomic<int> g_handler_failures{0};
std::atomic<int> g_handler_runs{0};
pid_t g_pid = 0;

void OnUsr1(int) {
  // On the alternate stack: the libOS must not run on top of this frame.
  stack_t ss;
  if (sigaltstack(nullptr, &ss) != 0 || !(ss.ss_flags & SS_ONSTACK)) g_handler_failures++;
  for (int i = 0; i < 5; ++i) {
    if (getpid() != g_pid) g_handler_failures++;
    struct stat st;
    if (stat("/", &st) != 0) g_handler_failures++;
  }
  g_handler_runs++;
}

TEST(SyscallSitesTest, SignalHandlerOnAlternateStackCallsSites) {
  g_pid = getpid();
  static char stack[64 * 1024];
  stack_t ss{};
  ss.ss_sp = stack;
  ss.ss_size = sizeof stack;
  ASSERT_EQ(sigaltstack(&ss, nullptr), 0);
  struct sigaction sa {};
  sa.sa_handler = OnUsr1;
  sa.sa_flags = SA_ONSTACK;
  ASSERT_EQ(sigaction(SIGUSR1, &sa, nullptr), 0);
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(getpid(), g_pid);
    ASSERT_EQ(kill(g_pid, SIGUSR1), 0);
  }
  signal(SIGUSR1, SIG_DFL);
  ss.ss_flags = SS_DISABLE;
  sigaltstack(&ss, nullptr);
  EXPECT_EQ(g_handler_runs.load(), 200);
  EXPECT_EQ(g_handler_failures.load(), 0);
}

TEST(SyscallSitesTest, ForkChildInheritsRewrittenSites) {
  const pid_t parent = getpid();
  for (int i = 0; i < kRounds; ++i) ASSERT_EQ(getpid(), parent);
  for (int round = 0; round < 3; ++round) {
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      bool ok = true;
      for (int i = 0; i < kRounds; ++i) {
        if (getpid() == parent || getppid() != parent) ok = false;
        struct stat st;
        if (stat("/", &st) != 0) ok = false;
      }
      _exit(ok ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  }
}

// The same binary, exec'd after its sites were rewritten (the new image
// starts with the original bytes), makes its calls again and reports.
TEST(SyscallSitesTest, ExecAfterRewrittenSites) {
  for (int i = 0; i < kRounds; ++i) getpid();
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    dup2(p[1], 1);
    for (int i = 0; i < kRounds; ++i) getpid();
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) _exit(3);
    self[n] = 0;
    execl(self, self, "--gtest_filter=SyscallSitesTest.RepeatedCallsKeepTheirAnswers",
          "--gtest_brief=1", static_cast<char*>(nullptr));
    _exit(4);
  }
  close(p[1]);
  std::string out = ReadAll(p[0]);
  close(p[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status << "\n" << out;
}

}  // namespace
}  // namespace conformance
