#include "runtime/vfork_child.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace litebox::runtime {

pid_t VforkChild::Run(int (*fn)(void*), void* arg) {
  sigset_t all;
  sigfillset(&all);
  const int saved_errno = errno;
  PinToThisCpu pin;  // we wait for the child: it runs here, at once
  pin_ = &pin;
  pthread_sigmask(SIG_SETMASK, &all, &caller_mask_);
  alignas(16) char stack[32 * 1024];  // ours is suspended until the child is gone
  pid_t pid = clone(fn, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, arg);
  const int clone_errno = errno;
  pthread_sigmask(SIG_SETMASK, &caller_mask_, nullptr);
  pin_ = nullptr;
  errno = pid < 0 ? clone_errno : saved_errno;
  return pid;
}

void VforkChild::RestoreCallerState() const {
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &caller_mask_, nullptr, sizeof(uint64_t));
  if (pin_) pin_->RestoreIn();
}

}  // namespace litebox::runtime
