// execve/execveat conformance: argv[0], execveat with AT_EMPTY_PATH and with
// a dirfd, `#!` scripts (with and without an interpreter argument),
// AT_EXECFN and comm, the errors (ENOENT, EACCES, ENOEXEC, ENOTDIR, ELOOP)
// with the caller left intact, and what survives an exec: pid and parent,
// signal mask, pending signals, ignored dispositions, cwd, umask, alarm,
// fds without close-on-exec, the kernel's own mappings (vdso, vvar); and
// what does not: handlers, other threads, the alternate signal stack,
// close-on-exec fds (O_CLOEXEC, F_SETFD, dup3, pipe2), the old image's
// mappings.
//
// Every exec targets this same binary: a constructor runs before gtest's
// main() and, when CONFORMANCE_HELPER is set, acts as a helper instead.
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/conformance/child.hpp"
#include "tests/conformance/scratch.hpp"

namespace conformance {
namespace {

// The kernel's special mappings ([vvar], [vvar_vclock], [vdso],
// [vsyscall]...) in address order, each as name:size.
std::string KernelMaps() {
  std::string out;
  FILE* f = fopen("/proc/self/maps", "r");
  char line[512];
  while (f != nullptr && fgets(line, sizeof line, f) != nullptr) {
    const char* name = strstr(line, "[v");
    if (name == nullptr) continue;
    unsigned long lo = 0, hi = 0;
    if (sscanf(line, "%lx-%lx", &lo, &hi) != 2) continue;
    std::string n(name);
    while (!n.empty() && (n.back() == '\n' || n.back() == ' ')) n.pop_back();
    out += (out.empty() ? "" : ",") + n + ":" + std::to_string(hi - lo);
  }
  if (f != nullptr) fclose(f);
  return out.empty() ? "(none)" : out;
}

// A page the old image maps at a fixed address before it execs.
void* const kOldImagePage = reinterpret_cast<void*>(0x5a5a5a000000ul);

const char* Disposition(int sig) {
  struct sigaction sa {};
  sigaction(sig, nullptr, &sa);
  if (sa.sa_handler == SIG_DFL) return "dfl";
  if (sa.sa_handler == SIG_IGN) return "ign";
  return "handler";
}

// Helper modes, chosen by CONFORMANCE_HELPER in the exec'd image:
//   argv    print every argv[i] (from 0) on its own line; exit 7
//   report  print key=value lines describing the process state; exit 0.
//           $CHECK_FDS (comma-separated fds) adds fd<N>=open|closed lines.
//   chain   exec this binary again in report mode (an exec from an exec'd image)
__attribute__((constructor)) void RunAsHelper(int argc, char** argv) {
  const char* mode = getenv("CONFORMANCE_HELPER");
  if (mode == nullptr) return;
  if (strcmp(mode, "argv") == 0) {
    for (int i = 0; i < argc; ++i) printf("%s\n", argv[i]);
    fflush(stdout);
    _exit(7);
  }
  if (strcmp(mode, "chain") == 0) {
    char* args[] = {argv[0], nullptr};
    char* envp[] = {const_cast<char*>("CONFORMANCE_HELPER=report"), nullptr};
    execve("/proc/self/exe", args, envp);
    _exit(97);
  }
  if (strcmp(mode, "report") != 0) _exit(98);
  printf("pid=%d\nppid=%d\n", getpid(), getppid());
  const char* execfn = reinterpret_cast<const char*>(getauxval(AT_EXECFN));
  printf("execfn=%s\n", execfn ? execfn : "(none)");
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  printf("exe=%s\n", n > 0 ? std::string(buf, n).c_str() : "(error)");
  char comm[32] = {};
  prctl(PR_GET_NAME, comm);
  printf("comm=%s\n", comm);
  // Threads: the count in /proc/self/status and the entries of task/.
  FILE* f = fopen("/proc/self/status", "r");
  char line[256];
  while (f != nullptr && fgets(line, sizeof line, f) != nullptr) {
    if (strncmp(line, "Threads:", 8) == 0) printf("threads=%d\n", atoi(line + 8));
  }
  if (f != nullptr) fclose(f);
  int tasks = 0;
  if (DIR* d = opendir("/proc/self/task")) {
    while (dirent* e = readdir(d)) tasks += e->d_name[0] != '.';
    closedir(d);
  }
  printf("tasks=%d\n", tasks);
  printf("usr1=%s\nusr2=%s\n", Disposition(SIGUSR1), Disposition(SIGUSR2));
  sigset_t mask, pending;
  sigprocmask(SIG_BLOCK, nullptr, &mask);
  sigpending(&pending);
  printf("hup_blocked=%d\nusr1_pending=%d\n", sigismember(&mask, SIGHUP),
         sigismember(&pending, SIGUSR1));
  stack_t ss{};
  sigaltstack(nullptr, &ss);
  printf("altstack=%s\n", (ss.ss_flags & SS_DISABLE) ? "disabled" : "enabled");
  printf("cwd=%s\n", getcwd(buf, sizeof buf) ? buf : "(error)");
  mode_t m = umask(0);
  printf("umask=%03o\n", m);
  printf("alarm=%u\n", alarm(0));
  printf("kernel_maps=%s\n", KernelMaps().c_str());
  // msync fails with ENOMEM exactly where nothing is mapped.
  printf("old_page=%s\n", msync(kOldImagePage, 4096, MS_ASYNC) == 0 ? "mapped" : "gone");
  if (const char* fds = getenv("CHECK_FDS")) {
    std::stringstream in(fds);
    std::string item;
    while (std::getline(in, item, ',')) {
      int fd = atoi(item.c_str());
      printf("fd%d=%s\n", fd, fcntl(fd, F_GETFD) >= 0 ? "open" : "closed");
    }
  }
  fflush(stdout);
  _exit(0);
}

struct Result {
  int status = -1;
  std::string out;
  // The value of "key=" in a report, or "(missing)".
  std::string operator[](const std::string& key) const {
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind(key + "=", 0) == 0) return line.substr(key.size() + 1);
    }
    return "(missing)";
  }
};

// Runs `body` in a child whose stdout is a pipe we collect; `body` normally
// execs (its return value is the exit status when it does not).
Result RunChild(const std::function<int()>& body) {
  Pipe out;
  Child c([&] {
    if (dup2(out.w(), 1) != 1) return 126;
    return body();
  });
  out.CloseWrite();
  Result r;
  r.out = ReadAllBounded(out.r());
  r.status = c.Wait();
  return r;
}

char* S(const char* s) {
  return const_cast<char*>(s);
}

// execve of this binary in report mode, after `setup` ran in the child.
Result Report(const std::function<int()>& setup, const std::string& check_fds = "") {
  std::string self = SelfExe();
  return RunChild([&] {
    int r = setup();
    if (r != 0) return r;
    std::string fds = "CHECK_FDS=" + check_fds;
    char* argv[] = {S("helper"), nullptr};
    char* envp[] = {S("CONFORMANCE_HELPER=report"), fds.data(), nullptr};
    execve(self.c_str(), argv, envp);
    return 127;
  });
}

// Runs a failing exec in a child and returns its errno (or 0/status noise).
int ExecErrno(const std::function<int()>& exec_call) {
  Result r = RunChild([&] {
    exec_call();
    return errno;
  });
  return WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1;
}

std::string Dirname(const std::string& p) {
  return p.substr(0, p.rfind('/'));
}
std::string Basename(const std::string& p) {
  return p.substr(p.rfind('/') + 1);
}

class ExecTest : public ScratchTest {
 protected:
  void SetUp() override {
    ScratchTest::SetUp();
    self_ = SelfExe();
    ASSERT_FALSE(self_.empty());
  }
  std::string self_;
};

void NoopHandler(int) {}

TEST_F(ExecTest, Argv0IsPassedThrough) {
  Result r = RunChild([&] {
    char* argv[] = {S("custom-argv0"), S("x y"), nullptr};
    char* envp[] = {S("CONFORMANCE_HELPER=argv"), nullptr};
    execve(self_.c_str(), argv, envp);
    return 127;
  });
  EXPECT_EQ(DescribeStatus(r.status), "exited 7");
  EXPECT_EQ(r.out, "custom-argv0\nx y\n");
}

TEST_F(ExecTest, ExecveatEmptyPathRunsTheFd) {
  Fd fd(open(self_.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_GE(fd.get(), 0) << strerror(errno);
  Result r = RunChild([&] {
    char* argv[] = {S("by-fd"), nullptr};
    char* envp[] = {S("CONFORMANCE_HELPER=argv"), nullptr};
    syscall(SYS_execveat, fd.get(), "", argv, envp, AT_EMPTY_PATH);
    return 127;
  });
  EXPECT_EQ(DescribeStatus(r.status), "exited 7");
  EXPECT_EQ(r.out, "by-fd\n");
}

TEST_F(ExecTest, ExecveatRelativePathResolvesAgainstDirfd) {
  Fd dir(open(Dirname(self_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_GE(dir.get(), 0) << strerror(errno);
  std::string base = Basename(self_);
  Result r = RunChild([&] {
    if (chdir("/") != 0) return 125;  // the cwd must not be what resolves it
    char* argv[] = {S("by-dirfd"), nullptr};
    char* envp[] = {S("CONFORMANCE_HELPER=argv"), nullptr};
    syscall(SYS_execveat, dir.get(), base.c_str(), argv, envp, 0);
    return 127;
  });
  EXPECT_EQ(DescribeStatus(r.status), "exited 7");
  EXPECT_EQ(r.out, "by-dirfd\n");
}

TEST_F(ExecTest, ExecveatEmptyPathWithoutFlagIsENOENT) {
  Fd fd(open(self_.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_GE(fd.get(), 0);
  EXPECT_EQ(ExecErrno([&] {
              char* argv[] = {S("x"), nullptr};
              return static_cast<int>(syscall(SYS_execveat, fd.get(), "", argv, environ, 0));
            }),
            ENOENT);
}

TEST_F(ExecTest, ExecveatNofollowOnSymlinkIsELOOP) {
  ASSERT_EQ(symlink(self_.c_str(), Path("link").c_str()), 0);
  EXPECT_EQ(ExecErrno([&] {
              char* argv[] = {S("x"), nullptr};
              return static_cast<int>(
                  syscall(SYS_execveat, dir_fd_.get(), "link", argv, environ, AT_SYMLINK_NOFOLLOW));
            }),
            ELOOP);
}

TEST_F(ExecTest, ShebangPassesInterpreterArgumentAndScriptPath) {
  WriteFile(Path("script"), "#!" + self_ + " interp-arg\n");
  ASSERT_EQ(chmod(Path("script").c_str(), 0755), 0);
  std::string script = Path("script");
  Result r = RunChild([&] {
    char* argv[] = {S("dropped-argv0"), S("a1"), S("a2"), nullptr};
    char* envp[] = {S("CONFORMANCE_HELPER=argv"), nullptr};
    execve(script.c_str(), argv, envp);
    return 127;
  });
  EXPECT_EQ(DescribeStatus(r.status), "exited 7");
  EXPECT_EQ(r.out, self_ + "\ninterp-arg\n" + script + "\na1\na2\n");
}

TEST_F(ExecTest, ShebangWithoutArgumentKeepsWhitespaceOut) {
  WriteFile(Path("script"), "#!  " + self_ + "   \nthe rest is never read\n");
  ASSERT_EQ(chmod(Path("script").c_str(), 0755), 0);
  std::string script = Path("script");
  Result r = RunChild([&] {
    char* argv[] = {S("dropped-argv0"), S("a1"), nullptr};
    char* envp[] = {S("CONFORMANCE_HELPER=argv"), nullptr};
    execve(script.c_str(), argv, envp);
    return 127;
  });
  EXPECT_EQ(DescribeStatus(r.status), "exited 7");
  EXPECT_EQ(r.out, self_ + "\n" + script + "\na1\n");
}

TEST_F(ExecTest, ExecfnAndExeFollowTheSymlinkUsed) {
  ASSERT_EQ(symlink(self_.c_str(), Path("renamed-link").c_str()), 0);
  std::string link = Path("renamed-link");
  Result r = RunChild([&] {
    char* argv[] = {S("helper"), nullptr};
    char* envp[] = {S("CONFORMANCE_HELPER=report"), nullptr};
    execve(link.c_str(), argv, envp);
    return 127;
  });
  ASSERT_EQ(DescribeStatus(r.status), "exited 0");
  EXPECT_EQ(r["execfn"], link);  // the name passed to execve
  EXPECT_EQ(r["exe"], self_);    // the file that was loaded
}

TEST_F(ExecTest, CommIsBasenameOfThePathUsed) {
  ASSERT_EQ(symlink(self_.c_str(), Path("renamed-link").c_str()), 0);
  std::string link = Path("renamed-link");
  Result r = RunChild([&] {
    char* argv[] = {S("helper"), nullptr};
    char* envp[] = {S("CONFORMANCE_HELPER=report"), nullptr};
    execve(link.c_str(), argv, envp);
    return 127;
  });
  ASSERT_EQ(DescribeStatus(r.status), "exited 0");
  EXPECT_EQ(r["comm"], "renamed-link");  // PR_GET_NAME after exec
}

TEST_F(ExecTest, RelativePathExecfnIsAsGiven) {
  std::string dir = Dirname(self_), rel = "./" + Basename(self_);
  Result r = RunChild([&] {
    if (chdir(dir.c_str()) != 0) return 125;
    char* argv[] = {S("helper"), nullptr};
    char* envp[] = {S("CONFORMANCE_HELPER=report"), nullptr};
    execve(rel.c_str(), argv, envp);
    return 127;
  });
  ASSERT_EQ(DescribeStatus(r.status), "exited 0");
  EXPECT_EQ(r["execfn"], rel);
  EXPECT_EQ(r["exe"], self_);
}

TEST_F(ExecTest, FileWithoutExecuteBitIsEACCES) {
  std::string copy = Path("noexec");
  WriteFile(copy, ReadFile(self_));
  ASSERT_EQ(chmod(copy.c_str(), 0644), 0);
  EXPECT_EQ(ExecErrno([&] {
              char* argv[] = {S("x"), nullptr};
              return execve(copy.c_str(), argv, environ);
            }),
            EACCES);
}

TEST_F(ExecTest, GarbageFileIsENOEXEC) {
  std::string junk = Path("junk");
  WriteFile(junk, std::string("\x01\x02 this is not an executable\n") + std::string(200, 'z'));
  ASSERT_EQ(chmod(junk.c_str(), 0755), 0);
  EXPECT_EQ(ExecErrno([&] {
              char* argv[] = {S("x"), nullptr};
              return execve(junk.c_str(), argv, environ);
            }),
            ENOEXEC);
}

TEST_F(ExecTest, RegularFileAsDirectoryIsENOTDIR) {
  WriteFile(Path("file"), "x");
  std::string bad = Path("file") + "/prog";
  EXPECT_EQ(ExecErrno([&] {
              char* argv[] = {S("x"), nullptr};
              return execve(bad.c_str(), argv, environ);
            }),
            ENOTDIR);
}

TEST_F(ExecTest, DirectoryIsEACCES) {
  std::string dir = dir_;
  EXPECT_EQ(ExecErrno([&] {
              char* argv[] = {S("x"), nullptr};
              return execve(dir.c_str(), argv, environ);
            }),
            EACCES);
}

TEST_F(ExecTest, FailedExecLeavesCallerIntact) {
  Result r = RunChild([&] {
    int fd = open(self_.c_str(), O_RDONLY | O_CLOEXEC);
    struct sigaction sa {};
    sa.sa_handler = NoopHandler;
    sigaction(SIGUSR1, &sa, nullptr);
    char* argv[] = {S("x"), nullptr};
    if (execve("/no/such/conformance-program", argv, environ) != -1 || errno != ENOENT) return 1;
    if (fcntl(fd, F_GETFD) != FD_CLOEXEC) return 2;  // close-on-exec fds stay open
    struct sigaction now {};
    sigaction(SIGUSR1, nullptr, &now);
    if (now.sa_handler != NoopHandler) return 3;  // handlers stay installed
    return 0;
  });
  EXPECT_EQ(DescribeStatus(r.status), "exited 0");
}

TEST_F(ExecTest, KernelMappingsSurviveAndTheOldImageDoesNot) {
  const std::string kernel = KernelMaps();
  ASSERT_NE(kernel, "(none)") << "no [vdso]/[vvar] in /proc/self/maps";
  Result r = Report([] {
    void* p = mmap(kOldImagePage, 4096, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    return p == kOldImagePage ? 0 : 125;
  });
  ASSERT_EQ(DescribeStatus(r.status), "exited 0") << r.out;
  EXPECT_EQ(r["kernel_maps"], kernel);  // same mappings, same sizes
  EXPECT_EQ(r["old_page"], "gone");
  // A second exec, from the image the first one made, keeps them too.
  std::string self = SelfExe();
  Result again = RunChild([&] {
    char* argv[] = {S("chain"), nullptr};
    char* envp[] = {S("CONFORMANCE_HELPER=chain"), nullptr};
    execve(self.c_str(), argv, envp);
    return 127;
  });
  ASSERT_EQ(DescribeStatus(again.status), "exited 0") << again.out;
  EXPECT_EQ(again["kernel_maps"], kernel);
}

TEST_F(ExecTest, OtherThreadsAreGoneAfterExec) {
  Result r = Report([] {
    for (int i = 0; i < 3; ++i) {
      pthread_t t;
      if (pthread_create(
              &t, nullptr,
              [](void*) -> void* {
                for (;;) pause();
              },
              nullptr) != 0)
        return 120;
    }
    return 0;
  });
  ASSERT_EQ(DescribeStatus(r.status), "exited 0") << r.out;
  EXPECT_EQ(r["threads"], "1");  // /proc/self/task itself: procpid_test
}

TEST_F(ExecTest, HandledSignalIsResetToDefault) {
  Result r = Report([] {
    struct sigaction sa {};
    sa.sa_handler = NoopHandler;
    return sigaction(SIGUSR1, &sa, nullptr) == 0 ? 0 : 120;
  });
  ASSERT_EQ(DescribeStatus(r.status), "exited 0");
  EXPECT_EQ(r["usr1"], "dfl");
}

TEST_F(ExecTest, IgnoredSignalStaysIgnored) {
  Result r = Report([] { return signal(SIGUSR2, SIG_IGN) == SIG_ERR ? 120 : 0; });
  ASSERT_EQ(DescribeStatus(r.status), "exited 0");
  EXPECT_EQ(r["usr2"], "ign");
}

TEST_F(ExecTest, SignalMaskIsPreserved) {
  Result r = Report([] {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGHUP);
    return sigprocmask(SIG_BLOCK, &s, nullptr) == 0 ? 0 : 120;
  });
  ASSERT_EQ(DescribeStatus(r.status), "exited 0");
  EXPECT_EQ(r["hup_blocked"], "1");
}

TEST_F(ExecTest, PendingSignalIsPreserved) {
  Result r = Report([] {
    struct sigaction sa {};
    sa.sa_handler = NoopHandler;
    sigaction(SIGUSR1, &sa, nullptr);  // handled now; default (blocked) after exec
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigprocmask(SIG_BLOCK, &s, nullptr);
    raise(SIGUSR1);
    sigset_t pending;
    sigpending(&pending);
    return sigismember(&pending, SIGUSR1) == 1 ? 0 : 120;
  });
  ASSERT_EQ(DescribeStatus(r.status), "exited 0");
  EXPECT_EQ(r["usr1_pending"], "1");
}

TEST_F(ExecTest, SetfdCloexecClosesAndClearingItKeepsOpen) {
  Result r = Report(
      [&] {
        int a = open(self_.c_str(), O_RDONLY);
        int b = open(self_.c_str(), O_RDONLY | O_CLOEXEC);
        if (dup2(a, 40) != 40 || dup2(b, 41) != 41) return 120;
        if (fcntl(40, F_SETFD, FD_CLOEXEC) != 0) return 121;  // set: closed by exec
        int c = open(self_.c_str(), O_RDONLY | O_CLOEXEC);
        if (dup2(c, 42) != 42) return 122;  // dup2 does not copy the flag: stays open
        if (fcntl(c, F_SETFD, 0) != 0 || dup2(c, 43) != 43 || fcntl(43, F_SETFD, FD_CLOEXEC) != 0)
          return 123;
        if (fcntl(43, F_SETFD, 0) != 0) return 124;  // set then cleared: stays open
        return 0;
      },
      "40,42,43");
  ASSERT_EQ(DescribeStatus(r.status), "exited 0");
  EXPECT_EQ(r["fd40"], "closed");
  EXPECT_EQ(r["fd42"], "open");
  EXPECT_EQ(r["fd43"], "open");
}

TEST_F(ExecTest, Dup3CloexecClosesButPlainDupKeeps) {
  Result r = Report(
      [&] {
        int a = open(self_.c_str(), O_RDONLY);
        if (dup3(a, 50, O_CLOEXEC) != 50) return 120;
        if (dup3(a, 51, 0) != 51) return 121;
        if (fcntl(a, F_DUPFD_CLOEXEC, 52) != 52) return 122;
        if (fcntl(52, F_DUPFD, 53) != 53) return 123;  // F_DUPFD clears the flag
        return 0;
      },
      "50,51,52,53");
  ASSERT_EQ(DescribeStatus(r.status), "exited 0");
  EXPECT_EQ(r["fd50"], "closed");
  EXPECT_EQ(r["fd51"], "open");
  EXPECT_EQ(r["fd52"], "closed");
  EXPECT_EQ(r["fd53"], "open");
}

TEST_F(ExecTest, Pipe2CloexecEndsAreClosed) {
  Result r = Report(
      [] {
        int p[2], q[2];
        if (pipe2(p, O_CLOEXEC) != 0 || pipe(q) != 0) return 120;
        if (dup2(p[0], 60) != 60 || dup3(p[1], 61, O_CLOEXEC) != 61) return 121;
        if (dup3(q[0], 62, 0) != 62) return 122;
        return 0;
      },
      "60,61,62");
  ASSERT_EQ(DescribeStatus(r.status), "exited 0");
  EXPECT_EQ(r["fd60"], "open");  // dup2 of a close-on-exec fd is not close-on-exec
  EXPECT_EQ(r["fd61"], "closed");
  EXPECT_EQ(r["fd62"], "open");
}

TEST_F(ExecTest, OpathCloexecFdIsClosedAndPlainOpathKept) {
  // poll() calls O_PATH fds "not open"; exec must still find them.
  std::string dir = dir_;
  Result r = Report(
      [&] {
        int a = open(dir.c_str(), O_PATH | O_CLOEXEC);
        int b = open(dir.c_str(), O_PATH);
        if (a < 0 || b < 0) return 120;
        if (fcntl(a, F_DUPFD_CLOEXEC, 70) != 70 || dup2(b, 71) != 71) return 121;
        return 0;
      },
      "70,71");
  ASSERT_EQ(DescribeStatus(r.status), "exited 0");
  EXPECT_EQ(r["fd70"], "closed");
  EXPECT_EQ(r["fd71"], "open");
}

// Raises the soft RLIMIT_NOFILE to `want` (within the hard limit); false if
// the hard limit is lower.
bool RaiseNofile(rlim_t want) {
  struct rlimit rl {};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_max < want) return false;
  if (rl.rlim_cur >= want) return true;
  rl.rlim_cur = want;
  return setrlimit(RLIMIT_NOFILE, &rl) == 0;
}

TEST_F(ExecTest, CloseOnExecAppliesToFdsPast1024) {
  // LiteBox keeps its own channel at fd 1024: fds on both sides of it.
  if (!RaiseNofile(1100)) GTEST_SKIP() << "RLIMIT_NOFILE hard limit below 1100";
  Result r = Report(
      [&] {
        int a = open(self_.c_str(), O_RDONLY);
        if (a < 0) return 120;
        if (dup3(a, 1030, O_CLOEXEC) != 1030 || dup2(a, 1031) != 1031) return 121;
        if (dup3(a, 1000, O_CLOEXEC) != 1000 || dup2(a, 1001) != 1001) return 122;
        return 0;
      },
      "1000,1001,1030,1031");
  ASSERT_EQ(DescribeStatus(r.status), "exited 0");
  EXPECT_EQ(r["fd1000"], "closed");
  EXPECT_EQ(r["fd1001"], "open");
  EXPECT_EQ(r["fd1030"], "closed");
  EXPECT_EQ(r["fd1031"], "open");
}

TEST_F(ExecTest, CloseOnExecAppliesAfterTheSoftLimitWasLowered) {
  // An fd opened before the soft limit went down stays open above it.
  if (!RaiseNofile(256)) GTEST_SKIP() << "RLIMIT_NOFILE hard limit below 256";
  Result r = Report(
      [&] {
        int a = open(self_.c_str(), O_RDONLY);
        if (a < 0 || dup3(a, 200, O_CLOEXEC) != 200 || dup2(a, 201) != 201) return 120;
        struct rlimit rl {};
        getrlimit(RLIMIT_NOFILE, &rl);
        rl.rlim_cur = 64;
        return setrlimit(RLIMIT_NOFILE, &rl) == 0 ? 0 : 121;
      },
      "200,201");
  ASSERT_EQ(DescribeStatus(r.status), "exited 0");
  EXPECT_EQ(r["fd200"], "closed");
  EXPECT_EQ(r["fd201"], "open");
}

TEST_F(ExecTest, PidAndParentArePreserved) {
  Pipe out;
  Child c([&] {
    if (dup2(out.w(), 1) != 1) return 126;
    char* argv[] = {S("helper"), nullptr};
    char* envp[] = {S("CONFORMANCE_HELPER=report"), nullptr};
    execve(self_.c_str(), argv, envp);
    return 127;
  });
  ASSERT_TRUE(c.ok());
  out.CloseWrite();
  Result r;
  r.out = ReadAllBounded(out.r());
  ASSERT_EQ(DescribeStatus(c.Wait()), "exited 0");
  EXPECT_EQ(r["pid"], std::to_string(c.pid()));
  EXPECT_EQ(r["ppid"], std::to_string(getpid()));
}

TEST_F(ExecTest, AlternateSignalStackIsReset) {
  Result r = Report([] {
    static char stack[64 * 1024];
    stack_t ss{};
    ss.ss_sp = stack;
    ss.ss_size = sizeof stack;
    if (sigaltstack(&ss, nullptr) != 0) return 120;
    stack_t now{};
    sigaltstack(nullptr, &now);
    return (now.ss_flags & SS_DISABLE) ? 121 : 0;
  });
  ASSERT_EQ(DescribeStatus(r.status), "exited 0");
  EXPECT_EQ(r["altstack"], "disabled");
}

TEST_F(ExecTest, CwdAndUmaskArePreserved) {
  std::string dir = dir_;
  Result r = Report([&] {
    umask(027);
    return chdir(dir.c_str()) == 0 ? 0 : 120;
  });
  ASSERT_EQ(DescribeStatus(r.status), "exited 0");
  EXPECT_EQ(r["cwd"], dir_);
  EXPECT_EQ(r["umask"], "027");
}

TEST_F(ExecTest, PendingAlarmSurvivesExec) {
  Result r = Report([] {
    alarm(100);
    return 0;
  });
  ASSERT_EQ(DescribeStatus(r.status), "exited 0");
  int left = atoi(r["alarm"].c_str());
  EXPECT_GT(left, 90) << r["alarm"];
  EXPECT_LE(left, 100);
}

}  // namespace
}  // namespace conformance
