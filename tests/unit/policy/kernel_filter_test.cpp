// The partition filter installed in a real kernel: a forked child loads it
// and reports what each kind of call did through a pipe.
#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "libos/abi/constants.h"
#include "runtime/seccomp_policy.hpp"

extern "C" long policy_test_gate_syscall(long nr, long a0, long a1, long a2, long a3);
extern "C" char policy_test_gate_ip[];

namespace litebox::runtime {
namespace {

// What the SIGSYS handler makes a trapped call return.
constexpr long kTrapMarker = 0x5eed;

volatile sig_atomic_t g_traps = 0;
volatile sig_atomic_t g_last_errno = 0;
volatile sig_atomic_t g_last_syscall = -1;

void OnSigsys(int, siginfo_t* si, void* uctx) {
  g_traps = g_traps + 1;
  g_last_errno = si->si_errno;
  g_last_syscall = si->si_syscall;
  static_cast<ucontext_t*>(uctx)->uc_mcontext.gregs[REG_RAX] = kTrapMarker;
}

struct Report {
  int install_errno = -1;
  long write_ret = 0;
  long getpid_ret = 0;
  int getpid_traps = 0, getpid_si_errno = 0, getpid_si_syscall = 0;
  long mount_ret = 0;
  int mount_errno = 0;
  long clone3_ret = 0;
  int clone3_errno = 0;
  long gate_sigaction_ret = 0;
  int gate_sigaction_traps = 0;
  long other_sigaction_ret = 0;
  int other_sigaction_traps = 0, other_sigaction_si_syscall = 0;
  long gate_clone_newuser_ret = 0;
  int gate_clone_traps = 0;
  long close_reserved_ret = 0;
  int close_reserved_traps = 0, close_reserved_si_syscall = 0;
  int netlink_errno = 0;
  int tcp_ulp_errno = 0, tcp_ulp_junk_errno = 0;
  long tcp_nodelay_ret = -1;
};

std::vector<sock_filter> BuildForThisProcess() {
  std::string err;
  auto prog = BuildPartitionFilter(reinterpret_cast<uint64_t>(policy_test_gate_ip), {}, &err);
  EXPECT_FALSE(prog.empty()) << err;
  return prog;
}

// Runs in the child: only calls that the filter passes, or whose trap the
// handler above answers, until the report is written.
[[noreturn]] void ChildBody(const std::vector<sock_filter>& prog, int report_fd, int null_fd,
                            int tcp_fd) {
  Report r;
  struct sigaction sa {};
  sa.sa_sigaction = OnSigsys;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSYS, &sa, nullptr);
  sock_fprog fprog{static_cast<unsigned short>(prog.size()), const_cast<sock_filter*>(prog.data())};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) != 0) {
    r.install_errno = errno;
    (void)!write(report_fd, &r, sizeof r);
    _exit(1);
  }
  r.install_errno = 0;

  r.write_ret = write(null_fd, "x", 1);

  int before = g_traps;
  r.getpid_ret = syscall(SYS_getpid);
  r.getpid_traps = g_traps - before;
  r.getpid_si_errno = g_last_errno;
  r.getpid_si_syscall = g_last_syscall;

  r.mount_ret = syscall(SYS_mount, "none", "/nonexistent-litebox-policy", "tmpfs", 0, nullptr);
  r.mount_errno = errno;
  r.clone3_ret = syscall(SYS_clone3, nullptr, 0);
  r.clone3_errno = errno;

  struct kernel_sigaction {
    void* handler;
    unsigned long flags;
    void* restorer;
    uint64_t mask;
  } old{};
  before = g_traps;
  r.gate_sigaction_ret =
      policy_test_gate_syscall(SYS_rt_sigaction, SIGUSR1, 0, reinterpret_cast<long>(&old), 8);
  r.gate_sigaction_traps = g_traps - before;

  before = g_traps;
  r.other_sigaction_ret = syscall(SYS_rt_sigaction, SIGUSR1, nullptr, &old, 8);
  r.other_sigaction_traps = g_traps - before;
  r.other_sigaction_si_syscall = g_last_syscall;

  before = g_traps;
  r.gate_clone_newuser_ret = policy_test_gate_syscall(SYS_clone, 0x10000000 | SIGCHLD, 0, 0, 0);
  r.gate_clone_traps = g_traps - before;

  before = g_traps;
  r.close_reserved_ret = syscall(SYS_close, abi::kChannelFd);
  r.close_reserved_traps = g_traps - before;
  r.close_reserved_si_syscall = g_last_syscall;

  errno = 0;
  syscall(SYS_socket, AF_NETLINK, SOCK_RAW, 0);
  r.netlink_errno = errno;

  // The kernel reads setsockopt's level and optname as int: junk in the
  // upper half must not get TCP_ULP past the filter.
  const char ulp[] = "tls";
  errno = 0;
  syscall(SYS_setsockopt, tcp_fd, IPPROTO_TCP, TCP_ULP, ulp, sizeof ulp);
  r.tcp_ulp_errno = errno;
  errno = 0;
  syscall(SYS_setsockopt, tcp_fd, (1L << 32) | IPPROTO_TCP, (5L << 32) | TCP_ULP, ulp, sizeof ulp);
  r.tcp_ulp_junk_errno = errno;
  int one = 1;
  r.tcp_nodelay_ret = syscall(SYS_setsockopt, tcp_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  (void)!write(report_fd, &r, sizeof r);
  _exit(0);
}

// Forks a child that runs `body` and returns its wait status.
template <typename Body>
int RunChild(Body body) {
  pid_t pid = fork();
  if (pid == 0) body();  // never returns
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  return status;
}

TEST(KernelFilter, PartitionActionsInARealProcess) {
  auto prog = BuildForThisProcess();
  ASSERT_FALSE(prog.empty());
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  ASSERT_GE(null_fd, 0);
  int tcp_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);  // the filter would refuse it
  ASSERT_GE(tcp_fd, 0);
  int status = RunChild([&] {
    close(fds[0]);
    ChildBody(prog, fds[1], null_fd, tcp_fd);
  });
  close(fds[1]);
  close(null_fd);
  close(tcp_fd);
  Report r;
  ssize_t got = read(fds[0], &r, sizeof r);
  close(fds[0]);
  ASSERT_TRUE(WIFEXITED(status)) << "child died, status " << status;
  ASSERT_EQ(got, static_cast<ssize_t>(sizeof r));
  ASSERT_EQ(r.install_errno, 0) << "installing the filter: " << std::strerror(r.install_errno);
  EXPECT_EQ(WEXITSTATUS(status), 0);

  EXPECT_EQ(r.write_ret, 1) << "write must run natively";
  EXPECT_EQ(r.getpid_ret, kTrapMarker) << "getpid must be answered by the SIGSYS handler";
  EXPECT_EQ(r.getpid_traps, 1);
  EXPECT_EQ(r.getpid_si_errno, abi::kTrapTag);
  EXPECT_EQ(r.getpid_si_syscall, SYS_getpid);
  EXPECT_EQ(r.mount_ret, -1);
  EXPECT_EQ(r.mount_errno, EPERM) << "the kernel itself would say ENOENT";
  EXPECT_EQ(r.clone3_ret, -1);
  EXPECT_EQ(r.clone3_errno, ENOSYS) << "the kernel itself would say EINVAL";
  EXPECT_EQ(r.gate_sigaction_ret, 0) << "rt_sigaction from the gate runs natively";
  EXPECT_EQ(r.gate_sigaction_traps, 0);
  EXPECT_EQ(r.other_sigaction_ret, kTrapMarker) << "rt_sigaction elsewhere traps";
  EXPECT_EQ(r.other_sigaction_traps, 1);
  EXPECT_EQ(r.other_sigaction_si_syscall, SYS_rt_sigaction);
  EXPECT_EQ(r.gate_clone_newuser_ret, -EPERM) << "namespace clone at the gate is refused";
  EXPECT_EQ(r.gate_clone_traps, 0);
  EXPECT_EQ(r.close_reserved_ret, kTrapMarker) << "close of the channel's number goes to the libOS";
  EXPECT_EQ(r.close_reserved_traps, 1);
  EXPECT_EQ(r.close_reserved_si_syscall, SYS_close);
  EXPECT_EQ(r.netlink_errno, EAFNOSUPPORT);
  EXPECT_EQ(r.tcp_ulp_errno, EPERM);
  EXPECT_EQ(r.tcp_ulp_junk_errno, EPERM);
  EXPECT_EQ(r.tcp_nodelay_ret, 0) << "other TCP options pass natively";
}

TEST(KernelFilter, X32SyscallKillsTheProcess) {
  auto prog = BuildForThisProcess();
  ASSERT_FALSE(prog.empty());
  int status = RunChild([&] {
    sock_fprog fprog{static_cast<unsigned short>(prog.size()), prog.data()};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) != 0)
      _exit(2);
    syscall(0x40000000 | SYS_getpid);
    _exit(0);
  });
  ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGSYS);
}

// int 0x80 reaches the i386 table (other numbers): a foreign arch is killed.
TEST(KernelFilter, I386EntryKillsTheProcess) {
  auto prog = BuildForThisProcess();
  ASSERT_FALSE(prog.empty());
  int status = RunChild([&] {
    sock_fprog fprog{static_cast<unsigned short>(prog.size()), prog.data()};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) != 0)
      _exit(2);
    long nr = 20;  // i386 getpid
    asm volatile("int $0x80" : "+a"(nr) : : "memory");
    _exit(0);
  });
  ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGSYS);
}

}  // namespace
}  // namespace litebox::runtime
