// Process groups and sessions: getpgrp/getpgid/setpgid/getsid/setsid and
// their errors (EPERM, ESRCH, EACCES after exec, EINVAL), inheritance across
// fork, killpg / kill(0) / kill(-pgid) reaching exactly the group, and the
// terminal calls on something that is not a terminal (ENOTTY, no /dev/tty
// after setsid).
//
// kill(-1, sig) is deliberately absent: natively, as root, it would signal
// every process on the host.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "tests/conformance/child.hpp"
#include "tests/conformance/scratch.hpp"

namespace conformance {
namespace {

__attribute__((constructor)) void RunAsHelper() {
  RunBlockHelperIfAsked();
}

class PgrpSessionTest : public ScratchTest {};

// Runs `probe` in a child and returns what it wrote (a pid_t-sized answer).
long AskChild(const std::function<long()>& probe) {
  Pipe out;
  Child c([&] {
    long v = probe();
    return write(out.w(), &v, sizeof v) == sizeof v ? 0 : 1;
  });
  out.CloseWrite();
  long v = -999;
  EXPECT_EQ(read(out.r(), &v, sizeof v), static_cast<ssize_t>(sizeof v));
  EXPECT_EQ(DescribeStatus(c.Wait()), "exited 0");
  return v;
}

// A pid that certainly names no process: a child that was already reaped.
pid_t ReapedPid() {
  Child c([] { return 0; });
  c.Wait();
  return c.pid();
}

// A group or session whose leader lives outside our pid namespace reads as
// 0 (CI runs the suite in a container whose session began outside it), so
// only "not an error" is asserted about the values themselves.
TEST_F(PgrpSessionTest, GetpgrpAgreesWithGetpgid) {
  pid_t g = getpgrp();
  EXPECT_GE(g, 0);
  EXPECT_EQ(getpgid(0), g);
  EXPECT_EQ(getpgid(getpid()), g);
  EXPECT_EQ(getsid(0), getsid(getpid()));
  EXPECT_GE(getsid(0), 0);
}

TEST_F(PgrpSessionTest, ChildInheritsGroupAndSession) {
  pid_t g = getpgrp(), s = getsid(0);
  EXPECT_EQ(AskChild([] { return static_cast<long>(getpgrp()); }), g);
  EXPECT_EQ(AskChild([] { return static_cast<long>(getsid(0)); }), s);
}

TEST_F(PgrpSessionTest, ParentSeesChildGroupAndSession) {
  BlockedChild c;
  ASSERT_TRUE(c.ready());
  EXPECT_EQ(getpgid(c.pid()), getpgrp());
  EXPECT_EQ(getsid(c.pid()), getsid(0));
}

TEST_F(PgrpSessionTest, SetpgidZeroZeroMakesChildGroupLeader) {
  long ok = AskChild([] {
    if (setpgid(0, 0) != 0) return -1L;
    return static_cast<long>(getpgrp() == getpid() && getpgid(0) == getpid());
  });
  EXPECT_EQ(ok, 1);
}

TEST_F(PgrpSessionTest, ParentSetpgidOnChildIsSeenByChild) {
  Pipe go, out;
  Child c([&] {
    go.CloseWrite();
    BlockUntilEof(go.r());  // the parent has moved us by now
    pid_t g = getpgrp();
    return write(out.w(), &g, sizeof g) == sizeof g ? 0 : 1;
  });
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(setpgid(c.pid(), c.pid()), 0) << strerror(errno);
  EXPECT_EQ(getpgid(c.pid()), c.pid());
  go.CloseWrite();
  out.CloseWrite();
  pid_t g = 0;
  EXPECT_EQ(read(out.r(), &g, sizeof g), static_cast<ssize_t>(sizeof g));
  EXPECT_EQ(g, c.pid());
  EXPECT_EQ(DescribeStatus(c.Wait()), "exited 0");
}

TEST_F(PgrpSessionTest, GrandchildInheritsNewGroup) {
  long ok = AskChild([] {
    if (setpgid(0, 0) != 0) return -1L;
    pid_t leader = getpid();
    Pipe out;
    pid_t g = fork();
    if (g == 0) {
      pid_t pg = getpgrp();
      _exit(write(out.w(), &pg, sizeof pg) == sizeof pg ? 0 : 1);
    }
    out.CloseWrite();
    pid_t pg = 0;
    ssize_t n = read(out.r(), &pg, sizeof pg);
    int st;
    waitpid(g, &st, 0);
    return static_cast<long>(n == sizeof pg && pg == leader);
  });
  EXPECT_EQ(ok, 1);
}

TEST_F(PgrpSessionTest, SetsidInChildCreatesSessionAndGroup) {
  Pipe hold, ready;
  Child c([&] {
    hold.CloseWrite();
    pid_t s = setsid();
    bool ok = s == getpid() && getsid(0) == getpid() && getpgrp() == getpid();
    if (write(ready.w(), ok ? "y" : "n", 1) != 1) return 1;
    BlockUntilEof(hold.r());
    return 0;
  });
  ASSERT_TRUE(c.ok());
  ready.CloseWrite();
  EXPECT_EQ(ReadByte(ready.r()), 'y');
  EXPECT_EQ(getsid(c.pid()), c.pid());
  EXPECT_EQ(getpgid(c.pid()), c.pid());
  EXPECT_NE(getsid(0), c.pid());
}

TEST_F(PgrpSessionTest, SetsidAsGroupLeaderIsEPERM) {
  long err = AskChild([] {
    if (setpgid(0, 0) != 0) return -1L;
    return setsid() == -1 ? static_cast<long>(errno) : 0L;
  });
  EXPECT_EQ(err, EPERM);
}

TEST_F(PgrpSessionTest, UnknownPidIsESRCH) {
  pid_t gone = ReapedPid();
  EXPECT_EQ(getpgid(gone), -1);
  EXPECT_EQ(errno, ESRCH);
  EXPECT_EQ(getsid(gone), -1);
  EXPECT_EQ(errno, ESRCH);
  EXPECT_EQ(setpgid(gone, 0), -1);
  EXPECT_EQ(errno, ESRCH);
  EXPECT_EQ(killpg(gone, 0), -1);
  EXPECT_EQ(errno, ESRCH);
}

TEST_F(PgrpSessionTest, SetpgidOnGrandchildIsESRCH) {
  Pipe out, hold;
  Child c([&] {
    pid_t g = fork();
    if (g == 0) {
      hold.CloseWrite();
      BlockUntilEof(hold.r());
      _exit(0);
    }
    hold.CloseWrite();  // else the grandchild never sees EOF
    if (write(out.w(), &g, sizeof g) != sizeof g) return 1;
    int st;
    waitpid(g, &st, 0);
    return 0;
  });
  ASSERT_TRUE(c.ok());
  out.CloseWrite();
  pid_t g = 0;
  ASSERT_EQ(read(out.r(), &g, sizeof g), static_cast<ssize_t>(sizeof g));
  int r = setpgid(g, g), e = errno;
  hold.CloseWrite();
  EXPECT_EQ(DescribeStatus(c.Wait()), "exited 0");
  EXPECT_EQ(r, -1);
  EXPECT_EQ(e, ESRCH);
}

TEST_F(PgrpSessionTest, SetpgidNegativeGroupIsEINVAL) {
  EXPECT_EQ(setpgid(0, -5), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST_F(PgrpSessionTest, SetpgidOnChildThatExecedIsEACCES) {
  std::string self = SelfExe();
  ASSERT_FALSE(self.empty());
  Pipe in, out;
  Child c([&] {
    if (dup2(in.r(), 0) != 0 || dup2(out.w(), 1) != 1) return 1;
    char* argv[] = {const_cast<char*>("helper"), nullptr};
    char* envp[] = {const_cast<char*>("CONFORMANCE_HELPER=block"), nullptr};
    execve(self.c_str(), argv, envp);
    return 127;
  });
  ASSERT_TRUE(c.ok());
  out.CloseWrite();
  in.CloseRead();
  ASSERT_EQ(ReadByte(out.r()), 'r');  // the new image runs
  EXPECT_EQ(setpgid(c.pid(), c.pid()), -1);
  EXPECT_EQ(errno, EACCES);
  in.CloseWrite();
  EXPECT_EQ(DescribeStatus(c.Wait()), "exited 0");
}

TEST_F(PgrpSessionTest, SetpgidOnChildInOtherSessionIsEPERM) {
  Pipe hold, ready;
  Child c([&] {
    hold.CloseWrite();
    if (setsid() == -1) return 1;
    if (write(ready.w(), "r", 1) != 1) return 1;
    BlockUntilEof(hold.r());
    return 0;
  });
  ASSERT_TRUE(c.ok());
  ready.CloseWrite();
  ASSERT_EQ(ReadByte(ready.r()), 'r');
  EXPECT_EQ(setpgid(c.pid(), 0), -1);
  EXPECT_EQ(errno, EPERM);
}

TEST_F(PgrpSessionTest, SetpgidIntoGroupOfOtherSessionIsEPERM) {
  Pipe hold, ready;
  Child other([&] {
    hold.CloseWrite();
    if (setsid() == -1) return 1;
    if (write(ready.w(), "r", 1) != 1) return 1;
    BlockUntilEof(hold.r());
    return 0;
  });
  ASSERT_TRUE(other.ok());
  ready.CloseWrite();
  ASSERT_EQ(ReadByte(ready.r()), 'r');
  pid_t target = other.pid();
  long err =
      AskChild([target] { return setpgid(0, target) == -1 ? static_cast<long>(errno) : 0L; });
  EXPECT_EQ(err, EPERM);
}

// A group of two blocked children (leader + member) plus a bystander in
// our own group; `send` signals the group and the statuses show who got it.
void ExpectSignalReachesExactlyGroup(const std::function<int(pid_t)>& send) {
  BlockedChild leader([] { return setpgid(0, 0) == 0 ? 0 : 1; });
  ASSERT_TRUE(leader.ready());
  pid_t g = leader.pid();
  BlockedChild member([g] { return setpgid(0, g) == 0 ? 0 : 1; });
  ASSERT_TRUE(member.ready());
  BlockedChild bystander;
  ASSERT_TRUE(bystander.ready());
  ASSERT_EQ(send(g), 0) << strerror(errno);
  int st1 = leader.child().Wait();
  int st2 = member.child().Wait();
  EXPECT_EQ(DescribeStatus(st1), "killed by signal " + std::to_string(SIGTERM));
  EXPECT_EQ(DescribeStatus(st2), "killed by signal " + std::to_string(SIGTERM));
  int st = 0;
  EXPECT_EQ(waitpid(bystander.pid(), &st, WNOHANG), 0) << "bystander: " << DescribeStatus(st);
}

TEST_F(PgrpSessionTest, KillpgReachesExactlyTheGroup) {
  ExpectSignalReachesExactlyGroup([](pid_t g) { return killpg(g, SIGTERM); });
}

TEST_F(PgrpSessionTest, KillNegativePgidReachesExactlyTheGroup) {
  ExpectSignalReachesExactlyGroup([](pid_t g) { return kill(-g, SIGTERM); });
}

TEST_F(PgrpSessionTest, KillZeroReachesCallersGroupIncludingItself) {
  // A child makes its own group with one grandchild, ignores SIGTERM itself
  // and sends kill(0, SIGTERM): the grandchild dies, the caller saw its own
  // signal pending, and we (outside the group) are untouched.
  long ok = AskChild([] {
    if (setpgid(0, 0) != 0) return -1L;
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, nullptr);  // inherited by the grandchild...
    Pipe ready;
    pid_t g = fork();
    if (g == 0) {
      sigprocmask(SIG_UNBLOCK, &block, nullptr);  // ...which unblocks it again
      if (write(ready.w(), "r", 1) != 1) _exit(1);
      for (;;) pause();
    }
    ready.CloseWrite();
    if (ReadByte(ready.r()) != 'r') {
      kill(g, SIGKILL);
      waitpid(g, nullptr, 0);
      return -2L;
    }
    int r = kill(0, SIGTERM);
    int st = 0;
    if (WaitBounded(g, &st) != g) {
      kill(g, SIGKILL);
      waitpid(g, nullptr, 0);
      return -3L;
    }
    sigset_t pending;
    sigpending(&pending);
    bool self_got_it = sigismember(&pending, SIGTERM) == 1;
    signal(SIGTERM, SIG_IGN);  // discard it before unblocking
    return static_cast<long>(r == 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM && self_got_it);
  });
  EXPECT_EQ(ok, 1);
}

TEST_F(PgrpSessionTest, TerminalCallsOnPipeAreENOTTY) {
  Pipe p;
  EXPECT_EQ(tcgetpgrp(p.r()), -1);
  EXPECT_EQ(errno, ENOTTY);
  EXPECT_EQ(tcsetpgrp(p.w(), getpgrp()), -1);
  EXPECT_EQ(errno, ENOTTY);
  EXPECT_EQ(tcgetsid(p.r()), -1);
  EXPECT_EQ(errno, ENOTTY);
}

TEST_F(PgrpSessionTest, TcgetpgrpOnRegularFileIsENOTTY) {
  WriteFile(Path("f"), "x");
  Fd fd(open(Path("f").c_str(), O_RDONLY));
  ASSERT_GE(fd.get(), 0);
  EXPECT_EQ(tcgetpgrp(fd), -1);
  EXPECT_EQ(errno, ENOTTY);
  EXPECT_EQ(isatty(fd), 0);
}

TEST_F(PgrpSessionTest, NewSessionHasNoControllingTerminal) {
  long err = AskChild([] {
    if (setsid() == -1) return -1L;
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY);
    if (fd >= 0) {
      close(fd);
      return 0L;
    }
    return static_cast<long>(errno);
  });
  EXPECT_EQ(err, ENXIO);
}

}  // namespace
}  // namespace conformance
