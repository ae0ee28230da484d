#include "runtime/spawn.hpp"

#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>

#include "libos/abi/constants.h"

namespace litebox::runtime {

namespace {

// Child-side failure report: step code + errno, written to the pipe.
struct ChildError {
  int step;
  int err;
};
const char* const kSteps[] = {"dup stdio",
                              "setsid",
                              "set controlling terminal",
                              "set rlimit",
                              "chroot",
                              "chdir",
                              "setgroups",
                              "setgid",
                              "setuid",
                              "no_new_privs",
                              "close fds",
                              "exec litebox-guest",
                              "open /dev/null",
                              "join the network namespace",
                              "join the IPC namespace or set the parent-death signal"};

[[noreturn]] void child_fail(int pipe_fd, int step) {
  ChildError e{step, errno};
  ssize_t n = write(pipe_fd, &e, sizeof e);
  (void)n;
  _exit(127);
}

// Moves fd to a number no other wanted fd uses, returning the new number.
int move_high(int fd, int floor) {
  if (fd < 0) return fd;
  int n = fcntl(fd, F_DUPFD_CLOEXEC, floor);
  return n;
}

}  // namespace

pid_t SpawnGuest(const SpawnPlan& plan, std::string* err) {
  int errpipe[2];
  if (pipe2(errpipe, O_CLOEXEC) < 0) {
    *err = std::string("pipe: ") + strerror(errno);
    return -1;
  }
  const char* argv[] = {"litebox-guest", nullptr};
  const char* envp[] = {nullptr};
  rlim_t nofile_cap = static_cast<rlim_t>(abi::kReservedFdBase);

  const pid_t caller = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    *err = std::string("fork: ") + strerror(errno);
    close(errpipe[0]);
    close(errpipe[1]);
    return -1;
  }
  if (pid == 0) {
    // --- child: async-signal-safe calls only ---
    close(errpipe[0]);
    // Lift every fd we need above the range we are about to fill.
    const int floor = abi::kReservedFdBase + 8;
    int ep = move_high(errpipe[1], floor);
    int bin = move_high(plan.guest_binary_fd, floor);
    int ch = move_high(plan.channel_fd, floor);
    int netns = move_high(plan.netns_fd, floor);
    int ipcns = move_high(plan.ipcns_fd, floor);
    int in = move_high(plan.stdio.in, floor), out = move_high(plan.stdio.out, floor),
        er = move_high(plan.stdio.err, floor);
    int devnull = -1;
    if (in < 0 || out < 0 || er < 0) {
      devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
      if (devnull < 0) child_fail(ep, 12);
    }
    int targets[3] = {in >= 0 ? in : devnull, out >= 0 ? out : devnull, er >= 0 ? er : devnull};
    for (int i = 0; i < 3; ++i)
      if (dup2(targets[i], i) < 0) child_fail(ep, 0);
    if (dup2(ch, abi::kChannelFd) < 0) child_fail(ep, 0);
    // Close everything else below our high fds, except preserved ones
    // (close_range between them: one syscall, not thousands).
    {
      int keep[64];
      int nk = 0;
      for (int k : plan.keep_fds)
        if (k > 2 && k < abi::kReservedFdBase && nk < 64) keep[nk++] = k;
      for (int i = 1; i < nk; ++i)
        for (int j = i; j > 0 && keep[j - 1] > keep[j]; --j) {
          int t = keep[j];
          keep[j] = keep[j - 1];
          keep[j - 1] = t;
        }
      int from = 3;
      for (int i = 0; i < nk; ++i) {
        if (keep[i] > from) syscall(SYS_close_range, from, keep[i] - 1, 0);
        from = keep[i] + 1;
      }
      if (from < abi::kReservedFdBase) syscall(SYS_close_range, from, abi::kReservedFdBase - 1, 0);
    }
    if (setsid() < 0) child_fail(ep, 1);
    if (plan.terminal && ioctl(0, TIOCSCTTY, 0) < 0) child_fail(ep, 2);
    for (const Rlimit& r : plan.rlimits) {
      struct rlimit rl {
        static_cast<rlim_t>(r.soft), static_cast<rlim_t>(r.hard)
      };
      if (r.resource == RLIMIT_NOFILE) continue;  // below
      if (setrlimit(r.resource, &rl) < 0) child_fail(ep, 3);
    }
    // The soft limit stays below the libOS's reserved fds; the hard limit
    // covers them so the libOS can still place its channel (fork). The
    // application never sees or sets the host hard limit (prlimit64 on
    // RLIMIT_NOFILE traps).
    struct rlimit nf;
    getrlimit(RLIMIT_NOFILE, &nf);
    for (const Rlimit& r : plan.rlimits)
      if (r.resource == RLIMIT_NOFILE) nf.rlim_cur = static_cast<rlim_t>(r.soft);
    nf.rlim_cur = nf.rlim_cur > nofile_cap ? nofile_cap : nf.rlim_cur;
    nf.rlim_max = static_cast<rlim_t>(abi::kLastReservedFd + 1);
    if (setrlimit(RLIMIT_NOFILE, &nf) < 0) child_fail(ep, 3);
    struct rlimit core {
      0, 0
    };
    if (setrlimit(RLIMIT_CORE, &core) < 0) child_fail(ep, 3);
    if (netns >= 0 && setns(netns, CLONE_NEWNET) < 0) child_fail(ep, 13);
    if (ipcns >= 0 && setns(ipcns, CLONE_NEWIPC) < 0) child_fail(ep, 14);
    if (!plan.empty_root.empty()) {
      if (chroot(plan.empty_root.c_str()) < 0) child_fail(ep, 4);
    }
    if (chdir("/") < 0) child_fail(ep, 5);
    if (plan.host_uid != 0 || plan.host_gid != 0) {
      if (setgroups(0, nullptr) < 0) child_fail(ep, 6);
      if (setresgid(plan.host_gid, plan.host_gid, plan.host_gid) < 0) child_fail(ep, 7);
      if (setresuid(plan.host_uid, plan.host_uid, plan.host_uid) < 0) child_fail(ep, 8);
    }
    // After the uid change: changing credentials clears the parent-death
    // signal. If the caller is already gone, it will never fire: leave.
    if (plan.die_with_caller) {
      if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) child_fail(ep, 14);
      if (getppid() != caller) _exit(137);
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) child_fail(ep, 9);
    syscall(SYS_execveat, bin, "", argv, envp, AT_EMPTY_PATH);
    child_fail(ep, 11);
  }
  close(errpipe[1]);
  ChildError ce{};
  ssize_t n;
  do n = read(errpipe[0], &ce, sizeof ce);
  while (n < 0 && errno == EINTR);
  close(errpipe[0]);
  if (n == static_cast<ssize_t>(sizeof ce)) {
    int st;
    waitpid(pid, &st, 0);
    *err = std::string("starting the guest: ") + kSteps[ce.step] + ": " + strerror(ce.err);
    return -1;
  }
  return pid;
}

std::string FindLiteboxExecutable(const std::string& name) {
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return "";
  self[n] = 0;
  std::string dir(self);
  dir.resize(dir.rfind('/'));
  for (const std::string& cand : {dir + "/" + name, dir + "/../lib/litebox/" + name}) {
    if (access(cand.c_str(), X_OK) == 0) return cand;
  }
  return "";
}

}  // namespace litebox::runtime
