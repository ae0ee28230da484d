// wait4/waitpid/waitid conformance: WNOHANG, WUNTRACED/WSTOPPED, WCONTINUED,
// WNOWAIT, the P_PID/P_PGID/P_ALL selectors and pid -1/0/-pgid, __WALL and
// __WCLONE for clone children, rusage, siginfo codes, ECHILD and EINVAL,
// exit-status truncation, zombies staying visible until reaped.
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/conformance/child.hpp"
#include "tests/conformance/scratch.hpp"

namespace conformance {
namespace {

class WaitTest : public ScratchTest {};

// Sends `sig` to `pid` and waits (bounded) until waitid reports `code` for
// it without consuming the report.
bool SignalAndObserve(pid_t pid, int sig, int wait_flag, int code) {
  if (kill(pid, sig) != 0) return false;
  siginfo_t si;
  if (WaitidBounded(P_PID, pid, &si, wait_flag | WNOWAIT) != 0) return false;
  return si.si_pid == pid && si.si_code == code;
}

TEST_F(WaitTest, WaitidWnohangWithRunningChildZeroesSiginfo) {
  BlockedChild c;
  ASSERT_TRUE(c.ready());
  siginfo_t si;
  memset(&si, 0x5a, sizeof si);
  ASSERT_EQ(waitid(P_PID, c.pid(), &si, WEXITED | WNOHANG), 0) << strerror(errno);
  EXPECT_EQ(si.si_pid, 0);
  EXPECT_EQ(si.si_signo, 0);
}

TEST_F(WaitTest, WuntracedReportsChildStoppedBySigstop) {
  BlockedChild c;
  ASSERT_TRUE(c.ready());
  ASSERT_EQ(kill(c.pid(), SIGSTOP), 0) << strerror(errno);
  int st = c.child().Wait(WUNTRACED);
  ASSERT_TRUE(WIFSTOPPED(st)) << DescribeStatus(st);
  EXPECT_EQ(WSTOPSIG(st), SIGSTOP);
}

TEST_F(WaitTest, StoppedChildIsNotReportedWithoutWuntraced) {
  BlockedChild c;
  ASSERT_TRUE(c.ready());
  ASSERT_TRUE(SignalAndObserve(c.pid(), SIGSTOP, WSTOPPED, CLD_STOPPED));
  int st = 0;
  EXPECT_EQ(waitpid(c.pid(), &st, WNOHANG), 0);
}

TEST_F(WaitTest, WcontinuedReportsResumedChild) {
  BlockedChild c;
  ASSERT_TRUE(c.ready());
  ASSERT_EQ(kill(c.pid(), SIGSTOP), 0);
  int st = c.child().Wait(WUNTRACED);
  ASSERT_TRUE(WIFSTOPPED(st)) << DescribeStatus(st);
  ASSERT_EQ(kill(c.pid(), SIGCONT), 0);
  st = c.child().Wait(WCONTINUED);
  EXPECT_TRUE(WIFCONTINUED(st)) << DescribeStatus(st);
}

TEST_F(WaitTest, WaitidCodesForStopAndContinue) {
  BlockedChild c;
  ASSERT_TRUE(c.ready());
  ASSERT_EQ(kill(c.pid(), SIGSTOP), 0);
  siginfo_t si;
  ASSERT_EQ(WaitidBounded(P_PID, c.pid(), &si, WSTOPPED), 0) << strerror(errno);
  EXPECT_EQ(si.si_pid, c.pid());
  EXPECT_EQ(si.si_signo, SIGCHLD);
  EXPECT_EQ(si.si_code, CLD_STOPPED);
  EXPECT_EQ(si.si_status, SIGSTOP);
  ASSERT_EQ(kill(c.pid(), SIGCONT), 0);
  ASSERT_EQ(WaitidBounded(P_PID, c.pid(), &si, WCONTINUED), 0) << strerror(errno);
  EXPECT_EQ(si.si_pid, c.pid());
  EXPECT_EQ(si.si_code, CLD_CONTINUED);
  EXPECT_EQ(si.si_status, SIGCONT);
}

TEST_F(WaitTest, WnowaitLeavesExitedChildWaitable) {
  Child c([] { return 17; });
  ASSERT_TRUE(c.ok());
  siginfo_t si;
  ASSERT_EQ(WaitidBounded(P_PID, c.pid(), &si, WEXITED | WNOWAIT), 0) << strerror(errno);
  EXPECT_EQ(si.si_pid, c.pid());
  EXPECT_EQ(si.si_code, CLD_EXITED);
  EXPECT_EQ(si.si_status, 17);
  int st = c.Wait();  // still there to be reaped for real
  ASSERT_TRUE(WIFEXITED(st)) << DescribeStatus(st);
  EXPECT_EQ(WEXITSTATUS(st), 17);
}

TEST_F(WaitTest, WaitidKilledChildHasCldKilledAndSignal) {
  BlockedChild c;
  ASSERT_TRUE(c.ready());
  ASSERT_EQ(kill(c.pid(), SIGKILL), 0);
  siginfo_t si;
  ASSERT_EQ(WaitidBounded(P_PID, c.pid(), &si, WEXITED), 0) << strerror(errno);
  c.child().MarkReaped();
  EXPECT_EQ(si.si_pid, c.pid());
  EXPECT_EQ(si.si_code, CLD_KILLED);
  EXPECT_EQ(si.si_status, SIGKILL);
}

TEST_F(WaitTest, CoreSignalCodeAgreesWithWcoredump) {
  // Whether a core is written depends on limits and core_pattern; what must
  // hold is that waitid's CLD_DUMPED and waitpid's WCOREDUMP agree.
  std::string dir = dir_;
  Child c([&] {
    NoCoreDumps();
    if (chdir(dir.c_str()) != 0) return 1;
    signal(SIGQUIT, SIG_DFL);
    raise(SIGQUIT);
    return 2;
  });
  ASSERT_TRUE(c.ok());
  siginfo_t si;
  ASSERT_EQ(WaitidBounded(P_PID, c.pid(), &si, WEXITED | WNOWAIT), 0) << strerror(errno);
  int st = c.Wait();
  ASSERT_TRUE(WIFSIGNALED(st)) << DescribeStatus(st);
  EXPECT_EQ(WTERMSIG(st), SIGQUIT);
  EXPECT_EQ(si.si_status, SIGQUIT);
  EXPECT_EQ(si.si_code, WCOREDUMP(st) ? CLD_DUMPED : CLD_KILLED);
}

TEST_F(WaitTest, WaitidPpgidSelectsOnlyThatGroup) {
  Pipe go;
  Child in_group([&] {
    go.CloseWrite();
    if (setpgid(0, 0) != 0) return 1;
    BlockUntilEof(go.r());
    return 21;
  });
  Child other([&] {
    go.CloseWrite();
    BlockUntilEof(go.r());
    return 22;
  });
  ASSERT_TRUE(in_group.ok() && other.ok());
  setpgid(in_group.pid(), in_group.pid());  // either side may win the race
  go.CloseWrite();                          // both exit now
  siginfo_t si;
  ASSERT_EQ(WaitidBounded(P_PGID, in_group.pid(), &si, WEXITED), 0) << strerror(errno);
  in_group.MarkReaped();
  EXPECT_EQ(si.si_pid, in_group.pid());
  EXPECT_EQ(si.si_status, 21);
  // The group is empty now: no more children to wait for in it.
  EXPECT_EQ(waitid(P_PGID, in_group.pid(), &si, WEXITED | WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
  int st = other.Wait();
  EXPECT_EQ(DescribeStatus(st), "exited 22");
}

// A child that made a session of its own leads a group in it: its parent
// can still wait on that group.
TEST_F(WaitTest, WaitidPpgidSelectsTheGroupOfAChildInItsOwnSession) {
  Pipe go;
  Child leader([&] {
    go.CloseWrite();
    if (setsid() < 0) return 1;
    BlockUntilEof(go.r());
    return 51;
  });
  Child other([] { return 52; });
  ASSERT_TRUE(leader.ok() && other.ok());
  siginfo_t si;
  // `other` has exited (and stays unreaped) before the group's child does.
  ASSERT_EQ(WaitidBounded(P_PID, other.pid(), &si, WEXITED | WNOWAIT), 0);
  // Wait until the leader's setsid took effect, then let it exit.
  for (int i = 0; i < 1000 && getsid(leader.pid()) != leader.pid(); ++i) usleep(1000);
  ASSERT_EQ(getsid(leader.pid()), leader.pid());
  go.CloseWrite();
  ASSERT_EQ(WaitidBounded(P_PGID, leader.pid(), &si, WEXITED), 0) << strerror(errno);
  leader.MarkReaped();
  EXPECT_EQ(si.si_pid, leader.pid());
  EXPECT_EQ(si.si_status, 51);
  EXPECT_EQ(DescribeStatus(other.Wait()), "exited 52");
}

TEST_F(WaitTest, WaitidPallReturnsAnyChild) {
  Child c([] { return 5; });
  ASSERT_TRUE(c.ok());
  siginfo_t si;
  ASSERT_EQ(WaitidBounded(P_ALL, 0, &si, WEXITED), 0) << strerror(errno);
  c.MarkReaped();
  EXPECT_EQ(si.si_pid, c.pid());
  EXPECT_EQ(si.si_status, 5);
}

TEST_F(WaitTest, WaitpidMinusOneBlocksUntilAChildExits) {
  Child c([] {
    usleep(100 * 1000);
    return 6;
  });
  ASSERT_TRUE(c.ok());
  long start = NowMs();
  int st = 0;
  pid_t r;
  do {
    r = waitpid(-1, &st, 0);
  } while (r == -1 && errno == EINTR);
  long took = NowMs() - start;
  ASSERT_EQ(r, c.pid()) << strerror(errno);
  c.MarkReaped();
  EXPECT_EQ(DescribeStatus(st), "exited 6");
  EXPECT_GE(took, 50);
}

TEST_F(WaitTest, WaitpidZeroWaitsOnlyForOwnGroup) {
  Child own([] { return 31; });
  Child moved([] {
    setpgid(0, 0);
    return 32;
  });
  ASSERT_TRUE(own.ok() && moved.ok());
  setpgid(moved.pid(), moved.pid());
  siginfo_t si;  // both have exited once these report
  ASSERT_EQ(WaitidBounded(P_PID, own.pid(), &si, WEXITED | WNOWAIT), 0);
  ASSERT_EQ(WaitidBounded(P_PID, moved.pid(), &si, WEXITED | WNOWAIT), 0);
  int st = 0;
  EXPECT_EQ(waitpid(0, &st, WNOHANG), own.pid());
  own.MarkReaped();
  EXPECT_EQ(DescribeStatus(st), "exited 31");
  EXPECT_EQ(waitpid(0, &st, WNOHANG), -1);  // `moved` is a child, but not in our group
  EXPECT_EQ(errno, ECHILD);
  EXPECT_EQ(DescribeStatus(moved.Wait()), "exited 32");
}

TEST_F(WaitTest, WaitpidNegativePgidWaitsForThatGroup) {
  Child leader([] {
    setpgid(0, 0);
    return 41;
  });
  ASSERT_TRUE(leader.ok());
  setpgid(leader.pid(), leader.pid());
  Child own([] { return 42; });
  ASSERT_TRUE(own.ok());
  int st = 0;
  EXPECT_EQ(WaitBounded(-leader.pid(), &st), leader.pid()) << strerror(errno);
  leader.MarkReaped();
  EXPECT_EQ(DescribeStatus(st), "exited 41");
  EXPECT_EQ(DescribeStatus(own.Wait()), "exited 42");
}

TEST_F(WaitTest, Wait4FillsRusageOfBusyChild) {
  Child c([] {
    timespec start{}, now{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &start);
    volatile unsigned long x = 0;
    do {
      for (int i = 0; i < 100000; ++i) x = x + i;
      clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    } while ((now.tv_sec - start.tv_sec) * 1000000000L + (now.tv_nsec - start.tv_nsec) <
             200000000L);
    return 0;
  });
  ASSERT_TRUE(c.ok());
  siginfo_t si;
  ASSERT_EQ(WaitidBounded(P_PID, c.pid(), &si, WEXITED | WNOWAIT), 0);
  rusage ru{};
  int st = 0;
  ASSERT_EQ(wait4(c.pid(), &st, 0, &ru), c.pid()) << strerror(errno);
  c.MarkReaped();
  EXPECT_EQ(DescribeStatus(st), "exited 0");
  long cpu_us = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L + ru.ru_utime.tv_usec +
                ru.ru_stime.tv_usec;
  EXPECT_GE(cpu_us, 100000) << "child burned ~200 ms of CPU";
  EXPECT_GT(ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec, 0);
}

TEST_F(WaitTest, WaitpidOfGrandchildIsECHILD) {
  Pipe out, hold;
  Child c([&] {
    out.CloseRead();
    pid_t g = fork();
    if (g == 0) {
      hold.CloseWrite();
      BlockUntilEof(hold.r());
      _exit(0);
    }
    hold.CloseWrite();  // else the grandchild never sees EOF
    if (write(out.w(), &g, sizeof g) != sizeof g) return 1;
    int st;
    waitpid(g, &st, 0);  // returns when the parent closes `hold`
    return 0;
  });
  ASSERT_TRUE(c.ok());
  out.CloseWrite();
  pid_t grandchild = 0;
  ASSERT_EQ(read(out.r(), &grandchild, sizeof grandchild), static_cast<ssize_t>(sizeof grandchild));
  ASSERT_GT(grandchild, 0);
  int st;
  EXPECT_EQ(waitpid(grandchild, &st, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
  EXPECT_EQ(waitpid(getpid(), &st, WNOHANG), -1);  // nor ourselves
  EXPECT_EQ(errno, ECHILD);
  hold.CloseWrite();
  EXPECT_EQ(DescribeStatus(c.Wait()), "exited 0");
}

TEST_F(WaitTest, ExitStatusKeepsLowEightBits) {
  Child c255([] { return 255; });
  Child c263([] { return 263; });  // 263 & 0xff == 7
  ASSERT_TRUE(c255.ok() && c263.ok());
  int st = c255.Wait();
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 255);
  siginfo_t si;
  ASSERT_EQ(WaitidBounded(P_PID, c263.pid(), &si, WEXITED), 0);
  c263.MarkReaped();
  EXPECT_EQ(si.si_status, 7);
}

TEST_F(WaitTest, ManyChildrenReapedInAnyOrder) {
  std::vector<std::unique_ptr<Child>> kids;
  std::set<std::pair<pid_t, int>> expected;
  for (int i = 0; i < 5; ++i) {
    kids.push_back(std::make_unique<Child>([i] {
      usleep((5 - i) * 20000);  // later children exit first
      return 50 + i;
    }));
    ASSERT_TRUE(kids.back()->ok());
    expected.insert({kids.back()->pid(), 50 + i});
  }
  std::set<std::pair<pid_t, int>> got;
  for (int i = 0; i < 5; ++i) {
    int st = 0;
    pid_t r = WaitBounded(-1, &st);
    ASSERT_GT(r, 0) << strerror(errno);
    ASSERT_TRUE(WIFEXITED(st)) << DescribeStatus(st);
    got.insert({r, WEXITSTATUS(st)});
  }
  for (auto& k : kids) k->MarkReaped();
  EXPECT_EQ(got, expected);
  int st;
  EXPECT_EQ(waitpid(-1, &st, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST_F(WaitTest, ZombieAcceptsSignalZeroUntilReaped) {
  Child c([] { return 0; });
  ASSERT_TRUE(c.ok());
  siginfo_t si;
  ASSERT_EQ(WaitidBounded(P_PID, c.pid(), &si, WEXITED | WNOWAIT), 0);
  EXPECT_EQ(kill(c.pid(), 0), 0) << "a zombie still exists: " << strerror(errno);
  EXPECT_EQ(kill(c.pid(), SIGKILL), 0) << "signalling a zombie succeeds";
  EXPECT_EQ(DescribeStatus(c.Wait()), "exited 0");
  EXPECT_EQ(kill(c.pid(), 0), -1);
  EXPECT_EQ(errno, ESRCH);
}

// A raw clone child whose exit signal is not SIGCHLD is a "clone" child:
// plain waits ignore it, __WCLONE and __WALL see it.
TEST_F(WaitTest, CloneChildNeedsWallOrWclone) {
  pid_t pid = static_cast<pid_t>(
      syscall(SYS_clone, 0 /* no exit signal */, nullptr, nullptr, nullptr, nullptr));
  if (pid == 0) {
    usleep(20 * 1000);
    syscall(SYS_exit_group, 12);
  }
  ASSERT_GT(pid, 0) << strerror(errno);
  int st = 0;
  pid_t plain = waitpid(pid, &st, WNOHANG);
  int plain_errno = errno;
  siginfo_t si;
  int r = WaitidBounded(P_PID, pid, &si, WEXITED | __WCLONE | WNOWAIT);
  int st2 = 0;
  pid_t all = WaitBounded(pid, &st2, __WALL);
  if (all != pid) {  // never leave it behind
    kill(pid, SIGKILL);
    WaitBounded(pid, &st2, __WALL);
  }
  EXPECT_EQ(plain, -1);
  EXPECT_EQ(plain_errno, ECHILD);
  EXPECT_EQ(r, 0);
  EXPECT_EQ(si.si_pid, pid);
  EXPECT_EQ(all, pid);
  EXPECT_EQ(DescribeStatus(st2), "exited 12");
}

TEST_F(WaitTest, WaitidWithoutStateFlagsIsEINVAL) {
  siginfo_t si;
  EXPECT_EQ(waitid(P_ALL, 0, &si, WNOHANG), -1);
  EXPECT_EQ(errno, EINVAL);
  int st;
  EXPECT_EQ(waitpid(-1, &st, 0x40000), -1);  // no such option bit
  EXPECT_EQ(errno, EINVAL);
}

TEST_F(WaitTest, WaitidBadIdtypeIsEINVAL) {
  siginfo_t si;
  EXPECT_EQ(waitid(static_cast<idtype_t>(42), 0, &si, WEXITED | WNOHANG), -1);
  EXPECT_EQ(errno, EINVAL);
}

// Once the parent has reaped a child, no other process finds it either:
// not by kill(pid, 0), not in /proc, even if the parent asks nothing of
// anybody after its wait (LiteBox's libOS tells its supervisor of the reap
// only with its next request).
TEST_F(WaitTest, ReapedChildIsGoneForASibling) {
  Pipe go, answer, a_pid;
  Child b([&] {
    int gone = 0;
    if (read(a_pid.r(), &gone, sizeof gone) != sizeof gone) return 9;
    if (ReadByte(go.r()) != 'g') return 10;
    int dead = kill(gone, 0) == -1 && errno == ESRCH;
    std::string dir = "/proc/" + std::to_string(gone);
    int absent = access(dir.c_str(), F_OK) == -1 && errno == ENOENT;
    char c = static_cast<char>('0' + dead * 2 + absent);
    return write(answer.w(), &c, 1) == 1 ? 0 : 11;
  });
  ASSERT_TRUE(b.ok());
  Child a([] { return 0; });
  ASSERT_TRUE(a.ok());
  const int gone = a.pid();
  ASSERT_EQ(write(a_pid.w(), &gone, sizeof gone), static_cast<ssize_t>(sizeof gone));
  ASSERT_EQ(DescribeStatus(a.Wait()), "exited 0");  // reaped here
  char g = 'g';
  ASSERT_EQ(write(go.w(), &g, 1), 1);    // no request of ours in between
  EXPECT_EQ(ReadByte(answer.r()), '3');  // ESRCH and no /proc entry
  EXPECT_EQ(DescribeStatus(b.Wait()), "exited 0");
}

// The other way round: a child is there for everybody as soon as fork()
// has returned its pid, even to a sibling told nothing but that pid (the
// LiteBox parent's fork does not wait for its supervisor to register it).
TEST_F(WaitTest, JustForkedChildIsThereForASibling) {
  Pipe go, answer, a_pid, hold;
  Child b([&] {
    int born = 0;
    if (read(a_pid.r(), &born, sizeof born) != sizeof born) return 9;
    // A file request first: LiteBox serves those from a page it polls,
    // possibly before it reads the socket that says the child was born.
    std::string dir = "/proc/" + std::to_string(born);
    int listed = access(dir.c_str(), F_OK) == 0;
    int alive = kill(born, 0) == 0;
    char c = static_cast<char>('0' + alive * 2 + listed);
    return write(answer.w(), &c, 1) == 1 ? 0 : 11;
  });
  ASSERT_TRUE(b.ok());
  for (int round = 0; round < 3; ++round) {
    Child a([&] { return ReadByte(hold.r()) == 'x' ? 0 : 1; });
    ASSERT_TRUE(a.ok());
    const int born = a.pid();
    if (round == 2) {
      ASSERT_EQ(write(a_pid.w(), &born, sizeof born), static_cast<ssize_t>(sizeof born));
      EXPECT_EQ(ReadByte(answer.r()), '3');  // kill(pid, 0) works and /proc has it
    }
    char x = 'x';
    ASSERT_EQ(write(hold.w(), &x, 1), 1);
    EXPECT_EQ(DescribeStatus(a.Wait()), "exited 0");
  }
  EXPECT_EQ(DescribeStatus(b.Wait()), "exited 0");
}

}  // namespace
}  // namespace conformance
