// /proc/<pid> of another process, read by its parent: stat (pid, comm,
// state, ppid, pgrp), status, cmdline and environ of an exec'd child (NUL
// separated), comm after PR_SET_NAME, exe, cwd, fd/; states 'S', 'T' and
// 'Z'; the /proc listing; /proc/self, /proc/thread-self and task/.
//
// The exec'd child is this same binary: with CONFORMANCE_HELPER=block a
// constructor writes 'r' to stdout and blocks until stdin reaches EOF.
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/conformance/child.hpp"
#include "tests/conformance/scratch.hpp"

namespace conformance {
namespace {

__attribute__((constructor)) void RunAsHelper(int argc, char** argv) {
  RunBlockHelperIfAsked(argc, argv);
}

class ProcPidTest : public ScratchTest {};

// A string literal with its embedded NULs (minus the terminating one).
template <size_t N>
std::string Bytes(const char (&lit)[N]) {
  return std::string(lit, N - 1);
}

std::string Proc(pid_t pid, const std::string& file) {
  return "/proc/" + std::to_string(pid) + "/" + file;
}

std::string Readlink(const std::string& path) {
  char buf[PATH_MAX];
  ssize_t n = readlink(path.c_str(), buf, sizeof buf);
  EXPECT_GE(n, 0) << "readlink " << path << ": " << strerror(errno);
  return n < 0 ? std::string() : std::string(buf, n);
}

// Fields of /proc/<pid>/stat: [0] pid, [1] comm (without parentheses),
// [2] state, [3] ppid, [4] pgrp, [5] session, ...
std::vector<std::string> StatFields(pid_t pid) {
  std::string s = ReadFile(Proc(pid, "stat"));
  std::vector<std::string> f;
  size_t open = s.find('('), close = s.rfind(')');
  if (open == std::string::npos || close == std::string::npos) return f;
  f.push_back(s.substr(0, open - 1));
  f.push_back(s.substr(open + 1, close - open - 1));
  std::istringstream rest(s.substr(close + 1));
  std::string w;
  while (rest >> w) f.push_back(w);
  return f;
}

// The value of "Key:" in /proc/<pid>/status, or "".
std::string StatusField(pid_t pid, const std::string& key) {
  return StatusValue(ReadFile(Proc(pid, "status")), key);
}

// State letter once it matches `want` (the kernel may lag a little), or
// the last one read after ~2 s.
std::string StateWhen(pid_t pid, const std::string& want) {
  std::string got;
  for (int i = 0; i < 2000; ++i) {
    auto f = StatFields(pid);
    got = f.size() > 2 ? f[2] : "(unreadable)";
    if (got == want) break;
    usleep(1000);
  }
  return got;
}

// A child exec'd into the block helper with known argv and environment.
class ExecedChild {
 public:
  ExecedChild(const std::string& self, std::vector<std::string> args, std::vector<std::string> env)
      : child_([&] {
          if (dup2(in_.r(), 0) != 0 || dup2(out_.w(), 1) != 1) return 126;
          std::vector<char*> argv, envp;
          for (auto& a : args) argv.push_back(a.data());
          argv.push_back(nullptr);
          for (auto& e : env) envp.push_back(e.data());
          envp.push_back(nullptr);
          execve(self.c_str(), argv.data(), envp.data());
          return 127;
        }) {
    in_.CloseRead();
    out_.CloseWrite();
    ready_ = child_.ok() && ReadByte(out_.r()) == 'r';
  }
  pid_t pid() const { return child_.pid(); }
  bool ready() const { return ready_; }

 private:
  Pipe in_, out_;
  Child child_;
  bool ready_ = false;
};

TEST_F(ProcPidTest, ChildStatShowsPidCommStateAndParent) {
  BlockedChild c;
  ASSERT_TRUE(c.ready());
  auto f = StatFields(c.pid());
  ASSERT_GT(f.size(), 5u);
  EXPECT_EQ(f[0], std::to_string(c.pid()));
  EXPECT_EQ(f[1], StatFields(getpid())[1]);  // a forked child keeps our comm
  EXPECT_EQ(StateWhen(c.pid(), "S"), "S");   // blocked in read
  EXPECT_EQ(f[3], std::to_string(getpid()));
  EXPECT_EQ(f[4], std::to_string(getpgrp()));
  EXPECT_EQ(f[5], std::to_string(getsid(0)));
}

TEST_F(ProcPidTest, ChildStatusAgreesWithStat) {
  BlockedChild c;
  ASSERT_TRUE(c.ready());
  EXPECT_EQ(StatusField(c.pid(), "Pid"), std::to_string(c.pid()));
  EXPECT_EQ(StatusField(c.pid(), "PPid"), std::to_string(getpid()));
  EXPECT_EQ(StatusField(c.pid(), "Name"), StatFields(c.pid())[1]);
  EXPECT_EQ(StatusField(c.pid(), "State").substr(0, 1), StateWhen(c.pid(), "S"));
  EXPECT_EQ(StatusField(c.pid(), "Tgid"), std::to_string(c.pid()));
}

TEST_F(ProcPidTest, ExecedChildCmdlineIsNulSeparatedArgv) {
  ExecedChild c(SelfExe(), {"helper-name", "two words", "", "last"}, {"CONFORMANCE_HELPER=block"});
  ASSERT_TRUE(c.ready());
  EXPECT_EQ(ReadFile(Proc(c.pid(), "cmdline")), Bytes("helper-name\0two words\0\0last\0"));
}

TEST_F(ProcPidTest, ExecedChildWithNoArgvGetsOneEmptyArgument) {
  ExecedChild c(SelfExe(), {}, {});
  ASSERT_TRUE(c.ready());
  // Linux (since 5.18) gives the image one empty argument.
  EXPECT_EQ(ReadFile(Proc(c.pid(), "cmdline")), Bytes("\0"));
  EXPECT_EQ(ReadFile(Proc(c.pid(), "environ")), "");
}

TEST_F(ProcPidTest, ExecedChildEnvironIsItsEnvironment) {
  ExecedChild c(SelfExe(), {"helper"}, {"CONFORMANCE_HELPER=block", "PROBE=a b=c"});
  ASSERT_TRUE(c.ready());
  EXPECT_EQ(ReadFile(Proc(c.pid(), "environ")), Bytes("CONFORMANCE_HELPER=block\0PROBE=a b=c\0"));
}

TEST_F(ProcPidTest, ExecedChildExeAndCommNameTheBinary) {
  std::string self = SelfExe();
  ExecedChild c(self, {"argv0-is-not-comm"}, {"CONFORMANCE_HELPER=block"});
  ASSERT_TRUE(c.ready());
  EXPECT_EQ(Readlink(Proc(c.pid(), "exe")), self);
  std::string base = self.substr(self.rfind('/') + 1).substr(0, 15);
  EXPECT_EQ(ReadFile(Proc(c.pid(), "comm")), base + "\n");
}

TEST_F(ProcPidTest, ChildCommFollowsPrSetName) {
  BlockedChild c([] { return prctl(PR_SET_NAME, "conf-kid-name") == 0 ? 0 : 1; });
  ASSERT_TRUE(c.ready());
  EXPECT_EQ(ReadFile(Proc(c.pid(), "comm")), "conf-kid-name\n");
  EXPECT_EQ(StatFields(c.pid())[1], "conf-kid-name");
  EXPECT_EQ(StatusField(c.pid(), "Name"), "conf-kid-name");
}

TEST_F(ProcPidTest, ChildCwdFollowsChildChdir) {
  std::string dir = dir_;
  BlockedChild c([&] { return chdir(dir.c_str()) == 0 ? 0 : 1; });
  ASSERT_TRUE(c.ready());
  EXPECT_EQ(Readlink(Proc(c.pid(), "cwd")), dir_);
}

TEST_F(ProcPidTest, ChildFdDirectoryShowsChildsFds) {
  WriteFile(Path("only-in-child"), "x");
  std::string path = Path("only-in-child");
  BlockedChild c([&] {
    int fd = open(path.c_str(), O_RDONLY);
    return fd >= 0 && dup2(fd, 77) == 77 ? 0 : 1;
  });
  ASSERT_TRUE(c.ready());
  EXPECT_EQ(Readlink(Proc(c.pid(), "fd/77")), path);
  struct stat st {};
  EXPECT_EQ(stat(Proc(c.pid(), "fd/77").c_str(), &st), 0);
  EXPECT_EQ(fcntl(77, F_GETFD), -1);  // not ours
  EXPECT_EQ(lstat(Proc(c.pid(), "fd/78").c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT);
}

TEST_F(ProcPidTest, StoppedChildStateIsT) {
  BlockedChild c;
  ASSERT_TRUE(c.ready());
  ASSERT_EQ(kill(c.pid(), SIGSTOP), 0);
  int st = c.child().Wait(WUNTRACED);
  ASSERT_TRUE(WIFSTOPPED(st)) << DescribeStatus(st);
  EXPECT_EQ(StateWhen(c.pid(), "T"), "T");
  EXPECT_EQ(StatusField(c.pid(), "State"), "T (stopped)");
}

TEST_F(ProcPidTest, ZombieStateIsZAndReapedDirIsGone) {
  Child c([] { return 0; });
  ASSERT_TRUE(c.ok());
  siginfo_t si;
  ASSERT_EQ(WaitidBounded(P_PID, c.pid(), &si, WEXITED | WNOWAIT), 0);
  EXPECT_EQ(StateWhen(c.pid(), "Z"), "Z");
  EXPECT_EQ(StatusField(c.pid(), "State"), "Z (zombie)");
  EXPECT_EQ(DescribeStatus(c.Wait()), "exited 0");
  struct stat st {};
  EXPECT_EQ(stat(("/proc/" + std::to_string(c.pid())).c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT);
}

std::set<std::string> ProcPids() {
  std::set<std::string> pids;
  DIR* d = opendir("/proc");
  EXPECT_NE(d, nullptr) << strerror(errno);
  if (d == nullptr) return pids;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] >= '1' && e->d_name[0] <= '9') pids.insert(e->d_name);
  }
  closedir(d);
  return pids;
}

TEST_F(ProcPidTest, ProcListingContainsSelfAndChild) {
  BlockedChild c;
  ASSERT_TRUE(c.ready());
  auto pids = ProcPids();
  EXPECT_EQ(pids.count(std::to_string(getpid())), 1u);
  EXPECT_EQ(pids.count(std::to_string(c.pid())), 1u);
}

TEST_F(ProcPidTest, SelfStatAgreesWithIdentityCalls) {
  auto f = StatFields(getpid());
  ASSERT_GT(f.size(), 5u);
  EXPECT_EQ(f[0], std::to_string(getpid()));
  EXPECT_EQ(f[3], std::to_string(getppid()));
  EXPECT_EQ(f[4], std::to_string(getpgrp()));
  EXPECT_EQ(f[5], std::to_string(getsid(0)));
}

TEST_F(ProcPidTest, SelfStatStateIsRunning) {
  auto f = StatFields(getpid());
  ASSERT_GT(f.size(), 2u);
  EXPECT_EQ(f[2], "R");  // we are running while we read it
}

TEST_F(ProcPidTest, ThreadSelfNamesTaskOfCallingThread) {
  std::string want = std::to_string(getpid()) + "/task/" + std::to_string(syscall(SYS_gettid));
  EXPECT_EQ(Readlink("/proc/thread-self"), want);
  struct stat by_link {
  }, by_path{};
  ASSERT_EQ(stat("/proc/thread-self", &by_link), 0) << strerror(errno);
  ASSERT_EQ(stat(("/proc/" + want).c_str(), &by_path), 0) << strerror(errno);
  EXPECT_EQ(by_link.st_ino, by_path.st_ino);
}

TEST_F(ProcPidTest, TaskDirectoryListsEveryThread) {
  struct Arg {
    std::atomic<pid_t> tid{0};
    std::atomic<int> go{0};
  } args[2];
  pthread_t t[2];
  int created = 0;
  for (int i = 0; i < 2; ++i) {
    if (pthread_create(
            &t[i], nullptr,
            [](void* p) -> void* {
              auto* a = static_cast<Arg*>(p);
              a->tid = static_cast<pid_t>(syscall(SYS_gettid));
              while (a->go.load() == 0) usleep(1000);
              return nullptr;
            },
            &args[i]) != 0)
      break;
    ++created;
  }
  for (int i = 0; i < created; ++i) {
    while (args[i].tid.load() == 0) sched_yield();
  }
  std::set<std::string> tasks;
  if (DIR* d = opendir("/proc/self/task")) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') tasks.insert(e->d_name);
    }
    closedir(d);
  }
  std::string threads = StatusField(getpid(), "Threads");
  for (auto& a : args) a.go = 1;
  for (int i = 0; i < created; ++i) pthread_join(t[i], nullptr);
  ASSERT_EQ(created, 2);
  std::set<std::string> want = {std::to_string(syscall(SYS_gettid)),
                                std::to_string(args[0].tid.load()),
                                std::to_string(args[1].tid.load())};
  EXPECT_EQ(tasks, want);
  EXPECT_EQ(threads, "3");
}

class ProcNameTest : public ProcPidTest {
 protected:
  void SetUp() override {
    ProcPidTest::SetUp();
    prctl(PR_GET_NAME, saved_);
  }
  void TearDown() override {
    prctl(PR_SET_NAME, saved_);
    ProcPidTest::TearDown();
  }
  char saved_[32] = {};
};

TEST_F(ProcNameTest, PrSetNameShowsInSelfComm) {
  ASSERT_EQ(prctl(PR_SET_NAME, "conf-renamed"), 0);
  EXPECT_EQ(ReadFile("/proc/self/comm"), "conf-renamed\n");
  EXPECT_EQ(StatusField(getpid(), "Name"), "conf-renamed");
  std::string task = "/proc/self/task/" + std::to_string(syscall(SYS_gettid)) + "/comm";
  EXPECT_EQ(ReadFile(task), "conf-renamed\n");
}

TEST_F(ProcNameTest, PrSetNameTruncatesToFifteenBytes) {
  ASSERT_EQ(prctl(PR_SET_NAME, "abcdefghijklmnopqrstuvwxyz"), 0);
  char got[32] = {};
  ASSERT_EQ(prctl(PR_GET_NAME, got), 0);
  EXPECT_STREQ(got, "abcdefghijklmno");
  EXPECT_EQ(ReadFile("/proc/self/comm"), "abcdefghijklmno\n");
}

TEST_F(ProcNameTest, WritingSelfCommRenames) {
  {
    Fd fd(open("/proc/self/comm", O_WRONLY));
    ASSERT_GE(fd.get(), 0) << strerror(errno);
    ASSERT_EQ(write(fd, "via-procfs", 10), 10) << strerror(errno);
  }
  char got[32] = {};
  ASSERT_EQ(prctl(PR_GET_NAME, got), 0);
  EXPECT_STREQ(got, "via-procfs");
}

TEST_F(ProcNameTest, WritingOwnTaskCommRenamesThatThread) {
  std::string task = "/proc/self/task/" + std::to_string(syscall(SYS_gettid)) + "/comm";
  {
    Fd fd(open(task.c_str(), O_WRONLY | O_TRUNC));
    ASSERT_GE(fd.get(), 0) << strerror(errno);
    ASSERT_EQ(write(fd, "task-named", 10), 10) << strerror(errno);
  }
  char got[32] = {};
  ASSERT_EQ(prctl(PR_GET_NAME, got), 0);
  EXPECT_STREQ(got, "task-named");
  EXPECT_EQ(ReadFile(task), "task-named\n");
}

}  // namespace
}  // namespace conformance
