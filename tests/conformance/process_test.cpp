// Process-lifecycle conformance: fork/wait exit statuses, parent/child ids,
// copy-on-write memory, execve of a new image (arguments, environment,
// close-on-exec), posix_spawn, SIGCHLD, killing children.
//
// execve targets this same binary: a constructor runs before gtest's main()
// and, when CONFORMANCE_HELPER is set, acts as a tiny helper program instead.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "tests/conformance/scratch.hpp"

extern char** environ;

namespace conformance {
namespace {

// Helper modes, chosen by CONFORMANCE_HELPER in the exec'd image:
//   argv   print each argument on its own line, then $CONFORMANCE_VALUE; exit 7
//   fds    exit 0 if fd $OPEN_FD is open and fd $CLOSED_FD is closed, else 1
//   exit   exit with status atoi(argv[1])
__attribute__((constructor)) void RunAsHelper(int argc, char** argv) {
  const char* mode = getenv("CONFORMANCE_HELPER");
  if (mode == nullptr) return;
  if (strcmp(mode, "argv") == 0) {
    for (int i = 1; i < argc; ++i) printf("%s\n", argv[i]);
    const char* v = getenv("CONFORMANCE_VALUE");
    printf("env=%s\n", v ? v : "(unset)");
    fflush(stdout);
    _exit(7);
  }
  if (strcmp(mode, "fds") == 0) {
    int open_fd = atoi(getenv("OPEN_FD"));
    int closed_fd = atoi(getenv("CLOSED_FD"));
    bool ok = fcntl(open_fd, F_GETFD) >= 0 && fcntl(closed_fd, F_GETFD) == -1 && errno == EBADF;
    _exit(ok ? 0 : 1);
  }
  if (strcmp(mode, "exit") == 0) _exit(argc > 1 ? atoi(argv[1]) : 99);
  if (strcmp(mode, "unmapped") == 0) {
    // Every address in $ADDRS (hex, comma-separated) must be unmapped: msync
    // fails with ENOMEM there. Exit 0 if so, else the index + 1 of the first
    // address still mapped.
    char* p = getenv("ADDRS");
    for (int i = 1; p && *p; ++i) {
      void* a = reinterpret_cast<void*>(strtoull(p, &p, 16));
      if (msync(a, 4096, MS_ASYNC) == 0 || errno != ENOMEM) _exit(i);
      if (*p == ',') ++p;
    }
    _exit(0);
  }
  _exit(98);
}

// Absolute path of this binary, resolved once (execve then does not depend
// on /proc/self/exe being executable through the magic link).
std::string SelfPath() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  EXPECT_GT(n, 0) << "readlink /proc/self/exe: " << strerror(errno);
  return n > 0 ? std::string(buf, n) : std::string();
}

// Waits for `pid` and returns its raw status; fails the test on error.
int Wait(pid_t pid) {
  int status = -1;
  pid_t r;
  do {
    r = waitpid(pid, &status, 0);
  } while (r == -1 && errno == EINTR);
  EXPECT_EQ(r, pid) << "waitpid: " << strerror(errno);
  return status;
}

// "exited 3" / "killed by signal 9", for failure messages.
std::string Describe(int st) {
  if (WIFEXITED(st)) return "exited " + std::to_string(WEXITSTATUS(st));
  if (WIFSIGNALED(st)) return "killed by signal " + std::to_string(WTERMSIG(st));
  return "raw status " + std::to_string(st);
}

TEST(ProcessTest, ExitStatusReachesWaitpid) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0) << strerror(errno);
  if (pid == 0) _exit(42);
  int st = Wait(pid);
  ASSERT_TRUE(WIFEXITED(st)) << Describe(st);
  EXPECT_EQ(WEXITSTATUS(st), 42);
}

TEST(ProcessTest, ChildSeesOwnPidAndParentPid) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  pid_t parent = getpid();
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    pid_t ids[2] = {getpid(), getppid()};
    _exit(write(p[1], ids, sizeof ids) == sizeof ids ? 0 : 1);
  }
  close(p[1]);
  pid_t ids[2] = {0, 0};
  EXPECT_EQ(read(p[0], ids, sizeof ids), static_cast<ssize_t>(sizeof ids));
  close(p[0]);
  EXPECT_EQ(Describe(Wait(pid)), "exited 0");
  EXPECT_EQ(ids[0], pid);  // fork's return value is the child's own getpid()
  EXPECT_EQ(ids[1], parent);
  EXPECT_NE(pid, parent);
}

TEST(ProcessTest, ForkCopiesPrivateMemory) {
  static int value = 1;
  value = 1;
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    value = 2;
    _exit(value == 2 ? 0 : 1);
  }
  EXPECT_EQ(Describe(Wait(pid)), "exited 0");
  EXPECT_EQ(value, 1);
}

TEST(ProcessTest, SharedAnonymousMappingIsSharedWithChild) {
  auto* p = static_cast<volatile int*>(
      mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(p, MAP_FAILED);
  *p = 0;
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    *p = 1234;
    _exit(0);
  }
  EXPECT_EQ(Describe(Wait(pid)), "exited 0");
  EXPECT_EQ(*p, 1234);
  munmap(const_cast<int*>(p), 4096);
}

TEST(ProcessTest, PipeCarriesDataFromChildToParent) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(p[0]);
    _exit(write(p[1], "from-child", 10) == 10 ? 0 : 1);
  }
  close(p[1]);
  EXPECT_EQ(ReadAll(p[0]), "from-child");  // EOF once the child's end is closed
  close(p[0]);
  EXPECT_EQ(Describe(Wait(pid)), "exited 0");
}

TEST(ProcessTest, ChildKilledBySignalIsReportedAsSignaled) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    signal(SIGTERM, SIG_DFL);
    raise(SIGTERM);
    _exit(0);
  }
  int st = Wait(pid);
  ASSERT_TRUE(WIFSIGNALED(st)) << Describe(st);
  EXPECT_EQ(WTERMSIG(st), SIGTERM);
}

TEST(ProcessTest, ParentCanSigkillChild) {
  int ready[2], hold[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(hold), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(ready[0]);
    close(hold[1]);
    char c = 'r';
    if (write(ready[1], &c, 1) != 1) _exit(1);
    // Blocks until SIGKILL, or until the parent closes `hold` (so a failed
    // kill cannot leave this child behind).
    while (read(hold[0], &c, 1) != 0) {
    }
    _exit(2);
  }
  close(ready[1]);
  close(hold[0]);
  char c = 0;
  EXPECT_EQ(read(ready[0], &c, 1), 1);  // the child is running
  close(ready[0]);
  int kill_result = kill(pid, SIGKILL);
  int kill_errno = errno;
  close(hold[1]);
  int st = Wait(pid);
  ASSERT_EQ(kill_result, 0) << strerror(kill_errno);
  ASSERT_TRUE(WIFSIGNALED(st)) << Describe(st);
  EXPECT_EQ(WTERMSIG(st), SIGKILL);
}

TEST(ProcessTest, WnohangReturnsZeroWhileChildRuns) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(p[1]);
    char c;
    _exit(read(p[0], &c, 1) == 0 ? 5 : 6);  // runs until the parent closes the pipe
  }
  close(p[0]);
  int st = 0;
  EXPECT_EQ(waitpid(pid, &st, WNOHANG), 0);
  close(p[1]);
  st = Wait(pid);
  ASSERT_TRUE(WIFEXITED(st)) << Describe(st);
  EXPECT_EQ(WEXITSTATUS(st), 5);
}

TEST(ProcessTest, WaitWithoutChildrenIsECHILD) {
  int st;
  EXPECT_EQ(waitpid(-1, &st, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

volatile sig_atomic_t g_sigchld = 0;
void OnSigchld(int) {
  g_sigchld = 1;
}

TEST(ProcessTest, ChildExitSendsSigchld) {
  struct sigaction sa {
  }, old{};
  sa.sa_handler = OnSigchld;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGCHLD, &sa, &old);
  g_sigchld = 0;
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) _exit(0);
  EXPECT_EQ(Describe(Wait(pid)), "exited 0");
  for (int i = 0; i < 5000 && !g_sigchld; ++i) usleep(1000);
  EXPECT_EQ(g_sigchld, 1);
  sigaction(SIGCHLD, &old, nullptr);
}

TEST(ProcessTest, WaitidReportsExitCodeAndPid) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) _exit(3);
  siginfo_t si{};
  ASSERT_EQ(waitid(P_PID, pid, &si, WEXITED), 0) << strerror(errno);
  EXPECT_EQ(si.si_pid, pid);
  EXPECT_EQ(si.si_code, CLD_EXITED);
  EXPECT_EQ(si.si_status, 3);
}

TEST(ProcessTest, ExecveRunsNewImageWithArgsAndEnv) {
  std::string self = SelfPath();
  ASSERT_FALSE(self.empty());
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(p[1], 1);
    char* argv[] = {const_cast<char*>("helper"), const_cast<char*>("first arg"),
                    const_cast<char*>("second"), nullptr};
    char* envp[] = {const_cast<char*>("CONFORMANCE_HELPER=argv"),
                    const_cast<char*>("CONFORMANCE_VALUE=from-env"), nullptr};
    execve(self.c_str(), argv, envp);
    _exit(127);
  }
  close(p[1]);
  std::string out = ReadAll(p[0]);
  close(p[0]);
  int st = Wait(pid);
  ASSERT_TRUE(WIFEXITED(st)) << Describe(st);
  EXPECT_EQ(WEXITSTATUS(st), 7);  // 127 would mean execve itself failed
  EXPECT_EQ(out, "first arg\nsecond\nenv=from-env\n");
}

TEST(ProcessTest, ExecveClosesOnlyCloexecFds) {
  std::string self = SelfPath();
  ASSERT_FALSE(self.empty());
  int keep = fcntl(0, F_DUPFD, 100);
  int drop = fcntl(0, F_DUPFD_CLOEXEC, 110);
  ASSERT_GE(keep, 100);
  ASSERT_GE(drop, 110);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::string open_env = "OPEN_FD=" + std::to_string(keep);
    std::string closed_env = "CLOSED_FD=" + std::to_string(drop);
    char* argv[] = {const_cast<char*>("helper"), nullptr};
    char* envp[] = {const_cast<char*>("CONFORMANCE_HELPER=fds"), open_env.data(), closed_env.data(),
                    nullptr};
    execve(self.c_str(), argv, envp);
    _exit(127);
  }
  close(keep);
  close(drop);
  int st = Wait(pid);
  ASSERT_TRUE(WIFEXITED(st)) << Describe(st);
  EXPECT_EQ(WEXITSTATUS(st), 0) << "1: fd state wrong after exec; 127: execve failed";
}

TEST(ProcessTest, ExecveDropsEveryMappingOfTheOldImage) {
  std::string self = SelfPath();
  ASSERT_FALSE(self.empty());
  // Anonymous, file-backed and shared mappings, one low and one high in the
  // address space: none may survive into the new image.
  int fd = memfd_create("exec-map", MFD_CLOEXEC);
  ASSERT_GE(fd, 0) << "memfd_create: " << strerror(errno);
  ASSERT_EQ(ftruncate(fd, 4096), 0);
  void* anon = mmap(nullptr, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  void* filemap = mmap(nullptr, 4096, PROT_READ, MAP_SHARED, fd, 0);
  void* shared = mmap(nullptr, 8192, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  void* low = mmap(reinterpret_cast<void*>(0x10000000), 4096, PROT_READ,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  close(fd);
  ASSERT_NE(anon, MAP_FAILED);
  ASSERT_NE(filemap, MAP_FAILED);
  ASSERT_NE(shared, MAP_FAILED);
  ASSERT_NE(low, MAP_FAILED);
  char addrs[128];
  snprintf(addrs, sizeof addrs, "ADDRS=%lx,%lx,%lx,%lx", reinterpret_cast<unsigned long>(anon),
           reinterpret_cast<unsigned long>(filemap), reinterpret_cast<unsigned long>(shared),
           reinterpret_cast<unsigned long>(low));
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    char* argv[] = {const_cast<char*>("helper"), nullptr};
    char* envp[] = {const_cast<char*>("CONFORMANCE_HELPER=unmapped"), addrs, nullptr};
    execve(self.c_str(), argv, envp);
    _exit(127);
  }
  int st = Wait(pid);
  ASSERT_TRUE(WIFEXITED(st)) << Describe(st);
  EXPECT_EQ(WEXITSTATUS(st), 0) << "mapping number " << WEXITSTATUS(st) << " of " << addrs
                                << " survived exec (127: execve failed)";
}

TEST(ProcessTest, ExecveMissingFileIsENOENTAndReturns) {
  char* argv[] = {const_cast<char*>("x"), nullptr};
  EXPECT_EQ(execve("/no/such/conformance-binary", argv, environ), -1);
  EXPECT_EQ(errno, ENOENT);
}

TEST(ProcessTest, PosixSpawnRunsChildWithExitCode) {
  std::string self = SelfPath();
  ASSERT_FALSE(self.empty());
  char* argv[] = {const_cast<char*>("helper"), const_cast<char*>("23"), nullptr};
  char* envp[] = {const_cast<char*>("CONFORMANCE_HELPER=exit"), nullptr};
  pid_t pid = -1;
  ASSERT_EQ(posix_spawn(&pid, self.c_str(), nullptr, nullptr, argv, envp), 0);
  int st = Wait(pid);
  ASSERT_TRUE(WIFEXITED(st)) << Describe(st);
  EXPECT_EQ(WEXITSTATUS(st), 23);
}

TEST(ProcessTest, VforkChildExecsWhileParentWaits) {
  std::string self = SelfPath();
  ASSERT_FALSE(self.empty());
  char* argv[] = {const_cast<char*>("helper"), const_cast<char*>("31"), nullptr};
  char* envp[] = {const_cast<char*>("CONFORMANCE_HELPER=exit"), nullptr};
  const char* path = self.c_str();
  pid_t pid = vfork();
  if (pid == 0) {
    execve(path, argv, envp);
    _exit(127);
  }
  ASSERT_GT(pid, 0) << strerror(errno);
  int st = Wait(pid);
  ASSERT_TRUE(WIFEXITED(st)) << Describe(st);
  EXPECT_EQ(WEXITSTATUS(st), 31);
}

}  // namespace
}  // namespace conformance
