// The application's own seccomp filters: installed with seccomp(2) or
// prctl(PR_SET_SECCOMP), stacked, with ERRNO / KILL_PROCESS / TRAP actions,
// on calls the library OS emulates (getppid, uname, openat) and on calls it
// passes to the host (sched_yield, dup). Each case runs in a forked child:
// a filter never comes off again.
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace {

// A filter: for each (nr, action) pair, nr gets that action; all else ALLOW.
std::vector<sock_filter> Rules(const std::vector<std::pair<int, uint32_t>>& rules) {
  std::vector<sock_filter> p;
  p.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
  p.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0));
  p.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
  p.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
  for (const auto& [nr, action] : rules) {
    p.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(nr), 0, 1));
    p.push_back(BPF_STMT(BPF_RET | BPF_K, action));
  }
  p.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  return p;
}

long Install(std::vector<sock_filter> prog, unsigned flags = 0) {
  sock_fprog fp{static_cast<unsigned short>(prog.size()), prog.data()};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -errno;
  long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fp);
  return r < 0 ? -errno : r;
}

// Runs body in a child; returns its wait status. body returns the exit code.
template <typename F>
int InChild(F body) {
  fflush(nullptr);
  pid_t pid = fork();
  if (pid == 0) _exit(body());
  int st = 0;
  if (waitpid(pid, &st, 0) != pid) return -1;
  return st;
}

// Each check in a child reports which one failed through its exit code.
#define CHILD_EXPECT(n, cond) \
  do {                        \
    if (!(cond)) return n;    \
  } while (0)

TEST(SeccompTest, ErrnoOnEmulatedAndPassedCalls) {
  int st = InChild([] {
    CHILD_EXPECT(10, Install(Rules({{SYS_getppid, SECCOMP_RET_ERRNO | EMLINK},
                                    {SYS_sched_yield, SECCOMP_RET_ERRNO | EXDEV},
                                    {SYS_uname, SECCOMP_RET_ERRNO | 4242}})) == 0);
    errno = 0;
    CHILD_EXPECT(11, syscall(SYS_getppid) == -1 && errno == EMLINK);
    errno = 0;
    CHILD_EXPECT(12, syscall(SYS_sched_yield) == -1 && errno == EXDEV);
    struct utsname u;
    errno = 0;  // RET_DATA above MAX_ERRNO is clamped to it
    CHILD_EXPECT(13, syscall(SYS_uname, &u) == -1 && errno == 4095);
    // Everything else still works, including calls that need the file proxy.
    CHILD_EXPECT(14, getpid() > 0);
    int fd = open("/proc/self/status", O_RDONLY);
    CHILD_EXPECT(15, fd >= 0);
    char buf[64];
    CHILD_EXPECT(16, read(fd, buf, sizeof buf) > 0);
    close(fd);
    CHILD_EXPECT(17, prctl(PR_GET_SECCOMP) == 2);
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(st)) << "status " << st;
  EXPECT_EQ(WEXITSTATUS(st), 0);
}

TEST(SeccompTest, FilterDenyingSocketCallsLeavesFileAccessWorking) {
  // Under LiteBox every open is a message to the file proxy (sendmsg and
  // recvmsg on the host): the application's rules must not bind those.
  int st = InChild([] {
    CHILD_EXPECT(10, Install(Rules({{SYS_sendmsg, SECCOMP_RET_ERRNO | EPERM},
                                    {SYS_recvmsg, SECCOMP_RET_ERRNO | EPERM},
                                    {SYS_sendto, SECCOMP_RET_ERRNO | EPERM}})) == 0);
    int fd = open("/", O_RDONLY | O_DIRECTORY);
    CHILD_EXPECT(11, fd >= 0);
    close(fd);
    struct msghdr mh = {};
    errno = 0;
    CHILD_EXPECT(12, recvmsg(-1, &mh, 0) == -1 && errno == EPERM);
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(st)) << "status " << st;
  EXPECT_EQ(WEXITSTATUS(st), 0);
}

TEST(SeccompTest, StackedFiltersLowestActionWins) {
  int st = InChild([] {
    CHILD_EXPECT(10, Install(Rules({{SYS_getppid, SECCOMP_RET_ERRNO | EMLINK}})) == 0);
    CHILD_EXPECT(11, Install(Rules({{SYS_getppid, SECCOMP_RET_ALLOW},
                                    {SYS_dup, SECCOMP_RET_ERRNO | ENOTTY}})) == 0);
    // ERRNO from the older filter outranks the newer one's ALLOW.
    errno = 0;
    CHILD_EXPECT(12, syscall(SYS_getppid) == -1 && errno == EMLINK);
    errno = 0;
    CHILD_EXPECT(13, dup(0) == -1 && errno == ENOTTY);
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(st)) << "status " << st;
  EXPECT_EQ(WEXITSTATUS(st), 0);
}

TEST(SeccompTest, KillProcessOnEmulatedCall) {
  int st = InChild([] {
    if (Install(Rules({{SYS_getppid, SECCOMP_RET_KILL_PROCESS}})) != 0) return 10;
    syscall(SYS_getppid);
    return 11;
  });
  ASSERT_TRUE(WIFSIGNALED(st)) << "status " << st;
  EXPECT_EQ(WTERMSIG(st), SIGSYS);
}

TEST(SeccompTest, KillProcessOnPassedCall) {
  int st = InChild([] {
    if (Install(Rules({{SYS_sched_yield, SECCOMP_RET_KILL_PROCESS}})) != 0) return 10;
    syscall(SYS_sched_yield);
    return 11;
  });
  ASSERT_TRUE(WIFSIGNALED(st)) << "status " << st;
  EXPECT_EQ(WTERMSIG(st), SIGSYS);
}

volatile sig_atomic_t g_trapped_nr = -1, g_trapped_data = -1, g_trapped_code = -1;

void OnSigsys(int, siginfo_t* si, void* ctx) {
  g_trapped_nr = si->si_syscall;
  g_trapped_data = si->si_errno;
  g_trapped_code = si->si_code;
  // The handler decides the call's result, as seccomp sandboxes do.
  static_cast<ucontext_t*>(ctx)->uc_mcontext.gregs[REG_RAX] = 777;
}

TEST(SeccompTest, TrapRunsTheApplicationsSigsysHandler) {
  for (int nr : {static_cast<int>(SYS_getppid), static_cast<int>(SYS_sched_yield)}) {
    int st = InChild([nr] {
      struct sigaction sa = {};
      sa.sa_sigaction = OnSigsys;
      sa.sa_flags = SA_SIGINFO;
      if (sigaction(SIGSYS, &sa, nullptr) != 0) return 10;
      if (Install(Rules({{nr, SECCOMP_RET_TRAP | 0x123}})) != 0) return 11;
      long r = syscall(nr);
      CHILD_EXPECT(12, r == 777);
      CHILD_EXPECT(13, g_trapped_nr == nr);
      CHILD_EXPECT(14, g_trapped_data == 0x123);
      CHILD_EXPECT(15, g_trapped_code == 1 /*SYS_SECCOMP*/);
      // Other calls, and the handler's own return path, are unaffected.
      CHILD_EXPECT(16, getpid() > 0);
      return 0;
    });
    ASSERT_TRUE(WIFEXITED(st)) << "nr " << nr << " status " << st;
    EXPECT_EQ(WEXITSTATUS(st), 0) << "nr " << nr;
  }
}

TEST(SeccompTest, TrapWithoutAHandlerKillsWithSigsys) {
  int st = InChild([] {
    if (Install(Rules({{SYS_getppid, SECCOMP_RET_TRAP}})) != 0) return 10;
    syscall(SYS_getppid);
    return 11;
  });
  ASSERT_TRUE(WIFSIGNALED(st)) << "status " << st;
  EXPECT_EQ(WTERMSIG(st), SIGSYS);
}

TEST(SeccompTest, PrctlSetSeccompInstallsAFilter) {
  int st = InChild([] {
    auto prog = Rules({{SYS_getppid, SECCOMP_RET_ERRNO | ENOLINK}});
    sock_fprog fp{static_cast<unsigned short>(prog.size()), prog.data()};
    CHILD_EXPECT(10, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
    CHILD_EXPECT(11, prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp) == 0);
    errno = 0;
    CHILD_EXPECT(12, syscall(SYS_getppid) == -1 && errno == ENOLINK);
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(st)) << "status " << st;
  EXPECT_EQ(WEXITSTATUS(st), 0);
}

TEST(SeccompTest, FilterIsInheritedByForkedChildren) {
  int st = InChild([] {
    CHILD_EXPECT(10, Install(Rules({{SYS_getppid, SECCOMP_RET_ERRNO | EMLINK}})) == 0);
    pid_t pid = fork();
    if (pid == 0) _exit(syscall(SYS_getppid) == -1 && errno == EMLINK ? 0 : 1);
    int cst = 0;
    CHILD_EXPECT(11, waitpid(pid, &cst, 0) == pid && WIFEXITED(cst) && WEXITSTATUS(cst) == 0);
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(st)) << "status " << st;
  EXPECT_EQ(WEXITSTATUS(st), 0);
}

TEST(SeccompTest, InvalidProgramsAndFlagsAreRefused) {
  int st = InChild([] {
    CHILD_EXPECT(10, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
    sock_filter bad[] = {BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 5, 5)};  // jumps out
    sock_fprog fp{1, bad};
    errno = 0;
    CHILD_EXPECT(11,
                 syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) == -1 && errno == EINVAL);
    sock_fprog empty{0, bad};
    errno = 0;
    CHILD_EXPECT(12,
                 syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &empty) == -1 && errno == EINVAL);
    uint32_t action = SECCOMP_RET_ERRNO;
    CHILD_EXPECT(13, syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0);
    action = 0x12340000;
    errno = 0;
    CHILD_EXPECT(14, syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == -1 &&
                         errno == EOPNOTSUPP);
    // Nothing was installed by the refused calls.
    CHILD_EXPECT(15, prctl(PR_GET_SECCOMP) == 0);
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(st)) << "status " << st;
  EXPECT_EQ(WEXITSTATUS(st), 0);
}

}  // namespace
