// Starting a guest process: a vfork-style child of the caller confines
// itself (own session, rlimits, empty read-only root, no_new_privs, the
// sandbox's host uid) and execs the freestanding libOS binary with its
// channel at abi::kChannelFd. Everything the child needs is prepared before
// the clone and the child uses raw syscalls only, so it is safe to call from
// a multi-threaded caller (the shim).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "runtime/sandbox.hpp"

namespace litebox::runtime {

struct SpawnPlan {
  int guest_binary_fd = -1;  // O_PATH fd of litebox-guest
  int channel_fd = -1;       // the guest's end of its channel
  Stdio stdio;
  bool terminal = false;  // stdio.in is a pty slave that becomes the controlling tty
  std::vector<Rlimit> rlimits;
  std::string empty_root;  // host path of an empty directory to chroot into ("" = none)
  uid_t host_uid = 0;      // unprivileged host identity of the sandbox (0 = keep)
  gid_t host_gid = 0;
  std::vector<int> keep_fds;     // extra fds preserved at their numbers (--preserve-fds)
  int netns_fd = -1;             // network namespace to join (-1: stay in the caller's)
  int ipcns_fd = -1;             // IPC namespace to join
  bool die_with_caller = false;  // PR_SET_PDEATHSIG(SIGKILL): `litebox do`
};

// Starts the guest with clone(CLONE_VM | CLONE_VFORK) and execveat. Returns
// its host pid, or -1 with *err naming the step that failed (the child
// writes it into the parent's memory before it exits).
pid_t SpawnGuest(const SpawnPlan& plan, std::string* err);

// The application's RLIMIT_NOFILE: the spec's, else the caller's own.
struct NofileLimit {
  uint64_t soft = 0, hard = 0;
};
NofileLimit GuestNofile(const std::vector<Rlimit>& rlimits);

// Path of a LiteBox executable installed next to the running one
// (<dir>/name or <dir>/../lib/litebox/name); "" if none.
std::string FindLiteboxExecutable(const std::string& name);

}  // namespace litebox::runtime
