#include "runtime/spawn.hpp"

#include <dirent.h>
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
#include "runtime/vfork_child.hpp"

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
                              "join the IPC namespace or set the parent-death signal",
                              "set RLIMIT_NOFILE: the library OS's channel is fd 1024, so the "
                              "hard limit must be at least 1025 (raise `ulimit -Hn` or grant "
                              "CAP_SYS_RESOURCE)"};

// Moves fd to a number no other wanted fd uses, returning the new number.
int move_high(int fd, int floor) {
  if (fd < 0) return fd;
  int n = fcntl(fd, F_DUPFD_CLOEXEC, floor);
  return n;
}

// The highest fd open in this process (-1 if /proc cannot say). The child
// closes up to it rather than to some fixed bound: close_range walks every
// slot of the range the fd table covers.
int HighestOpenFd() {
  int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return -1;
  int highest = -1;
  alignas(8) char buf[4096];
  for (;;) {
    long n = syscall(SYS_getdents64, dir, buf, sizeof buf);
    if (n <= 0) {
      if (n < 0) highest = -1;
      break;
    }
    for (long off = 0; off < n;) {
      auto* d = reinterpret_cast<struct dirent64*>(buf + off);
      off += d->d_reclen;
      int fd = 0;
      bool numeric = d->d_name[0] != 0;
      for (const char* c = d->d_name; *c; ++c) {
        if (*c < '0' || *c > '9') {
          numeric = false;
          break;
        }
        fd = fd * 10 + (*c - '0');
      }
      if (numeric && fd != dir && fd > highest) highest = fd;
    }
  }
  close(dir);
  return highest;
}

// Everything the child reads (all prepared by the parent) and where it
// reports a failure: the child shares the parent's memory (CLONE_VM).
struct ChildArgs {
  const SpawnPlan* plan;
  int highest_fd;  // every fd above it is free in the child
  NofileLimit nofile;
  pid_t caller;
  const VforkChild* vfork;
  ChildError result;  // step -1: the child reached execveat
};

// The child of SpawnGuest (a VforkChild: the caller's memory, raw syscalls
// and plain wrappers only); a failed step is written to the parent's
// ChildArgs before _exit.
[[noreturn]] void fail_step(ChildArgs* a, int step) {
  a->result = ChildError{step, errno};
  _exit(127);
}

int GuestChild(void* arg) {
  auto* a = static_cast<ChildArgs*>(arg);
  const SpawnPlan& plan = *a->plan;
  const char* argv[] = {"litebox-guest", nullptr};
  const char* envp[] = {nullptr};
  // Lift every fd we need above every fd open now, so one close_range
  // (around the preserved ones) clears all the caller's others.
  // Clear of the channel's number too (below it when there is room, else
  // above), so the dup2 onto it below clobbers none of them (nor makes a
  // no-op of itself, keeping close-on-exec).
  const int floor =
      a->highest_fd >= 0 && a->highest_fd + 16 < abi::kChannelFd
          ? a->highest_fd + 1
          : (a->highest_fd >= abi::kChannelFd ? a->highest_fd + 1 : abi::kChannelFd + 1);
  const int close_to = a->highest_fd >= 0 ? a->highest_fd : abi::kChannelFd - 1;
  // The caller's soft RLIMIT_NOFILE (1024 in a default shell) must reach
  // that far; the guest's own limits are set further down.
  {
    struct rlimit rl {};
    getrlimit(RLIMIT_NOFILE, &rl);
    // (and the dup2 onto the channel's number)
    const auto need =
        static_cast<rlim_t>(floor > abi::kChannelFd ? floor + 16 : abi::kChannelFd + 1);
    if (rl.rlim_cur < need) {
      rl.rlim_cur = need;
      if (rl.rlim_max < need) rl.rlim_max = need;
      if (setrlimit(RLIMIT_NOFILE, &rl) < 0) fail_step(a, 15);
    }
  }
  int bin = move_high(plan.guest_binary_fd, floor);
  int ch = move_high(plan.channel_fd, floor);
  int netns = move_high(plan.netns_fd, floor);
  int ipcns = move_high(plan.ipcns_fd, floor);
  int in = move_high(plan.stdio.in, floor), out = move_high(plan.stdio.out, floor),
      er = move_high(plan.stdio.err, floor);
  int devnull = -1;
  if (in < 0 || out < 0 || er < 0) {
    devnull =
        move_high(open("/dev/null", O_RDWR | O_CLOEXEC), floor);  // (the close below spares it)
    if (devnull < 0) fail_step(a, 12);
  }
  {
    int keep[64];
    int nk = 0;
    for (int k : plan.keep_fds)
      if (k > 2 && k != abi::kChannelFd && nk < 64) keep[nk++] = k;
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
    if (from <= close_to) syscall(SYS_close_range, from, close_to, 0);
    // Without /proc's list, whatever the caller has above the fds lifted
    // goes too.
    if (a->highest_fd < 0) {
      int top = floor;
      for (int fd : {bin, ch, netns, ipcns, in, out, er, devnull}) top = fd > top ? fd : top;
      syscall(SYS_close_range, top + 1, ~0U, 0);
    }
  }
  int targets[3] = {in >= 0 ? in : devnull, out >= 0 ? out : devnull, er >= 0 ? er : devnull};
  for (int i = 0; i < 3; ++i)
    if (dup2(targets[i], i) < 0) fail_step(a, 0);
  if (dup2(ch, abi::kChannelFd) < 0) fail_step(a, 0);
  if (setsid() < 0) fail_step(a, 1);
  if (plan.terminal && ioctl(0, TIOCSCTTY, 0) < 0) fail_step(a, 2);
  for (const Rlimit& r : plan.rlimits) {
    struct rlimit rl {
      static_cast<rlim_t>(r.soft), static_cast<rlim_t>(r.hard)
    };
    if (r.resource == RLIMIT_NOFILE) continue;  // below
    if (setrlimit(r.resource, &rl) < 0) fail_step(a, 3);
  }
  // The application's RLIMIT_NOFILE, except that the host hard limit also
  // covers the channel's number, so a fork child can dup its own channel
  // onto it (the libOS shows the application its own hard limit and traps
  // every prlimit64 on RLIMIT_NOFILE).
  struct rlimit nf {
    static_cast<rlim_t>(a->nofile.soft), static_cast<rlim_t>(a->nofile.hard)
  };
  if (nf.rlim_max <= static_cast<rlim_t>(abi::kChannelFd))
    nf.rlim_max = static_cast<rlim_t>(abi::kChannelFd) + 1;
  if (setrlimit(RLIMIT_NOFILE, &nf) < 0) fail_step(a, errno == EPERM ? 15 : 3);
  struct rlimit core {
    0, 0
  };
  if (setrlimit(RLIMIT_CORE, &core) < 0) fail_step(a, 3);
  if (netns >= 0 && setns(netns, CLONE_NEWNET) < 0) fail_step(a, 13);
  if (ipcns >= 0 && setns(ipcns, CLONE_NEWIPC) < 0) fail_step(a, 14);
  if (!plan.empty_root.empty()) {
    if (chroot(plan.empty_root.c_str()) < 0) fail_step(a, 4);
  }
  if (chdir("/") < 0) fail_step(a, 5);
  if (plan.host_uid != 0 || plan.host_gid != 0) {
    if (syscall(SYS_setgroups, 0, nullptr) < 0) fail_step(a, 6);
    if (syscall(SYS_setresgid, plan.host_gid, plan.host_gid, plan.host_gid) < 0) fail_step(a, 7);
    if (syscall(SYS_setresuid, plan.host_uid, plan.host_uid, plan.host_uid) < 0) fail_step(a, 8);
  }
  // After the uid change: changing credentials clears the parent-death
  // signal. If the caller is already gone, it will never fire: leave.
  if (plan.die_with_caller) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) fail_step(a, 14);
    if (getppid() != a->caller) _exit(137);
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail_step(a, 9);
  a->vfork->RestoreCallerState();  // the guest starts with the caller's masks
  syscall(SYS_execveat, bin, "", argv, envp, AT_EMPTY_PATH);
  fail_step(a, 11);
}

}  // namespace

pid_t SpawnGuest(const SpawnPlan& plan, std::string* err) {
  VforkChild vfork;
  ChildArgs a{&plan,    HighestOpenFd(), GuestNofile(plan.rlimits),
              getpid(), &vfork,          ChildError{-1, 0}};
  pid_t pid = vfork.Run(GuestChild, &a);
  if (pid < 0) {
    *err = std::string("clone: ") + strerror(errno);
    return -1;
  }
  if (a.result.step >= 0) {
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    *err =
        std::string("starting the guest: ") + kSteps[a.result.step] + ": " + strerror(a.result.err);
    return -1;
  }
  return pid;
}

NofileLimit GuestNofile(const std::vector<Rlimit>& rlimits) {
  for (const Rlimit& r : rlimits)
    if (r.resource == RLIMIT_NOFILE) return {r.soft, r.hard};
  struct rlimit own {};
  getrlimit(RLIMIT_NOFILE, &own);
  return {own.rlim_cur, own.rlim_max};
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
