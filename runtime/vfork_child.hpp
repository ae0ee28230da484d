// A short-lived child that shares the caller's memory: clone(CLONE_VM |
// CLONE_VFORK), started on the caller's CPU with every signal blocked.
//
// No page tables are copied and nothing faults copy-on-write (a fork of the
// CLI cost ~0.25 ms that way), and the caller waits until the child has
// exec'd or exited. The child runs on a stack in the caller's frame and
// must keep to raw syscalls and plain syscall wrappers: nothing that
// allocates, locks or uses glibc's set*id (which would act on every thread
// of what it takes for its own process, the caller's). A handler of the
// caller's must not run on the shared memory, hence the blocked signals; a
// child that execs calls RestoreCallerState first.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include "runtime/cpu_pin.hpp"

namespace litebox::runtime {

class VforkChild {
 public:
  // Runs fn(arg) in the child; returns once it has exec'd or exited: its
  // pid, or -1 with errno from clone. The caller's errno is kept otherwise.
  pid_t Run(int (*fn)(void*), void* arg);

  // In the child, before exec: the caller's signal mask and CPU set.
  void RestoreCallerState() const;

 private:
  sigset_t caller_mask_{};
  const PinToThisCpu* pin_ = nullptr;  // set while Run runs
};

}  // namespace litebox::runtime
