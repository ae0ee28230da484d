// Child-process helpers shared by the process-family conformance binaries
// (wait, pgrp_session, exec, procsig, procpid, fifo).
//
// Every wait here is bounded, and a Child that the case did not reap is
// SIGKILLed and reaped when it goes out of scope, so a failing case never
// leaves a process behind or hangs the binary.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>

namespace conformance {

// "exited 3" / "killed by signal 9" / "stopped by signal 19", for messages.
inline std::string DescribeStatus(int st) {
  if (WIFEXITED(st)) return "exited " + std::to_string(WEXITSTATUS(st));
  if (WIFSIGNALED(st)) return "killed by signal " + std::to_string(WTERMSIG(st));
  if (WIFSTOPPED(st)) return "stopped by signal " + std::to_string(WSTOPSIG(st));
  if (WIFCONTINUED(st)) return "continued";
  return "raw status " + std::to_string(st);
}

inline long NowMs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

// waitpid(pid, status, options | WNOHANG) polled until it reports something
// or `timeout_ms` passes: returns waitpid's result, or 0 on timeout.
inline pid_t WaitBounded(pid_t pid, int* status, int options = 0, int timeout_ms = 10000) {
  long deadline = NowMs() + timeout_ms;
  for (;;) {
    pid_t r = waitpid(pid, status, options | WNOHANG);
    if (r == -1 && errno == EINTR) continue;
    if (r != 0 || NowMs() > deadline) return r;
    usleep(1000);
  }
}

// waitid(idtype, id, info, options | WNOHANG) polled like WaitBounded: returns
// 0 with info->si_pid set once something was reported, -1 on error (errno),
// and 0 with si_pid 0 on timeout.
inline int WaitidBounded(idtype_t idtype, id_t id, siginfo_t* info, int options,
                         int timeout_ms = 10000) {
  long deadline = NowMs() + timeout_ms;
  for (;;) {
    memset(info, 0, sizeof *info);
    int r = waitid(idtype, id, info, options | WNOHANG);
    if (r == -1 && errno == EINTR) continue;
    if (r != 0 || info->si_pid != 0 || NowMs() > deadline) return r;
    usleep(1000);
  }
}

// Absolute path of the running binary (for execve of a helper mode).
inline std::string SelfExe() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, n) : std::string();
}

// No core files in the scratch tree when a child dies of a core signal.
inline void NoCoreDumps() {
  rlimit rl{0, 0};
  setrlimit(RLIMIT_CORE, &rl);
}

// A forked child that runs `body` and exits with its return value. Bodies
// run in the child only: they report through their exit status or fds,
// never through gtest assertions.
class Child {
 public:
  explicit Child(const std::function<int()>& body) {
    pid_ = fork();
    if (pid_ == 0) _exit(body());
    EXPECT_GT(pid_, 0) << "fork: " << strerror(errno);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() { Kill(); }

  pid_t pid() const { return pid_; }
  bool ok() const { return pid_ > 0; }

  // Waits (bounded) and returns the raw status, or -1 on error/timeout.
  // Exit and death mark the child reaped; stops and continues do not.
  int Wait(int options = 0, int timeout_ms = 10000) {
    if (pid_ <= 0 || reaped_) return -1;
    int st = 0;
    pid_t r = WaitBounded(pid_, &st, options, timeout_ms);
    EXPECT_EQ(r, pid_) << "waitpid: " << (r == 0 ? "timed out" : strerror(errno));
    if (r != pid_) return -1;
    if (WIFEXITED(st) || WIFSIGNALED(st)) reaped_ = true;
    return st;
  }
  // Records that the case reaped the child by other means.
  void MarkReaped() { reaped_ = true; }
  // SIGKILLs and reaps the child if nobody reaped it yet.
  void Kill() {
    if (pid_ <= 0 || reaped_) return;
    kill(pid_, SIGKILL);
    int st;
    WaitBounded(pid_, &st, 0, 10000);
    reaped_ = true;
  }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

// A pipe whose ends close with the object.
struct Pipe {
  Pipe() { EXPECT_EQ(pipe2(fds, O_CLOEXEC), 0) << strerror(errno); }
  ~Pipe() {
    CloseRead();
    CloseWrite();
  }
  int r() const { return fds[0]; }
  int w() const { return fds[1]; }
  void CloseRead() {
    if (fds[0] >= 0) close(fds[0]);
    fds[0] = -1;
  }
  void CloseWrite() {
    if (fds[1] >= 0) close(fds[1]);
    fds[1] = -1;
  }
  int fds[2] = {-1, -1};
};

// Reads one byte from `fd` within `timeout_ms`; returns it, or -1.
inline int ReadByte(int fd, int timeout_ms = 10000) {
  long deadline = NowMs() + timeout_ms;
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    int left = static_cast<int>(deadline - NowMs());
    if (left < 0) return -1;
    int r = poll(&p, 1, left);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    unsigned char c;
    ssize_t n = read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    return n == 1 ? c : -1;
  }
}

// Reads `fd` until EOF, giving up after `timeout_ms` in total.
inline std::string ReadAllBounded(int fd, int timeout_ms = 10000) {
  std::string out;
  long deadline = NowMs() + timeout_ms;
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    int left = static_cast<int>(deadline - NowMs());
    if (left < 0) break;
    int r = poll(&p, 1, left);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, n);
  }
  return out;
}

// Blocks the calling child until `fd` reaches EOF (its parent closed the
// write end or died); for children that just have to stay alive.
inline void BlockUntilEof(int fd) {
  char c;
  for (;;) {
    ssize_t n = read(fd, &c, 1);
    if (n == 0 || (n < 0 && errno != EINTR)) return;
  }
}

// A child that runs `setup` (a nonzero result becomes its exit status), tells
// the parent it is ready, and then blocks until it is killed or the parent
// closes its end of the hold pipe. The constructor returns once the child is
// ready (check ready()).
class BlockedChild {
 public:
  explicit BlockedChild(const std::function<int()>& setup = [] { return 0; })
      : child_([&] {
          hold_.CloseWrite();
          ready_.CloseRead();
          int r = setup();
          if (r != 0) return r;
          if (write(ready_.w(), "r", 1) != 1) return 90;
          BlockUntilEof(hold_.r());
          return 0;
        }) {
    ready_.CloseWrite();
    ready_ok_ = child_.ok() && ReadByte(ready_.r()) == 'r';
  }
  pid_t pid() const { return child_.pid(); }
  bool ready() const { return ready_ok_; }
  Child& child() { return child_; }
  // Lets the child run to its normal exit (status 0).
  void Release() { hold_.CloseWrite(); }

 private:
  Pipe hold_;
  Pipe ready_;
  Child child_;
  bool ready_ok_ = false;
};

// Helper mode for an exec'd copy of a test binary (CONFORMANCE_HELPER=block):
// write 'r' to stdout, then block until stdin reaches EOF. For a binary's
// constructor; returns when no helper mode is set, exits on any other.
// argc/argv: exec'd with no argv and no environment, the helper blocks
// too (Linux gives such an image one empty argument: argc 1, argv[0] "").
inline void RunBlockHelperIfAsked(int argc = 1, char** argv = nullptr) {
  const char* mode = getenv("CONFORMANCE_HELPER");
  if (mode == nullptr && (argc == 0 || (argc == 1 && argv != nullptr && argv[0][0] == 0)))
    mode = "block";
  if (mode == nullptr) return;
  if (strcmp(mode, "block") == 0) {
    if (write(1, "r", 1) != 1) _exit(1);
    BlockUntilEof(0);
    _exit(0);
  }
  _exit(98);
}

}  // namespace conformance
