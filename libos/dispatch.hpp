// The SIGSYS dispatcher: decodes the trapped call from the signal frame and
// runs the handler the syscall table names (sys_<name>).
#pragma once

#include <stdint.h>

#include "libos/rt/kernel.hpp"
#include "libos/state.hpp"

namespace lb {

struct SyscallCtx {
  long nr;
  long a[6];
  // The application's context: handlers may rewrite it (execve, clone).
  // Null on the trap-free path, which only runs LB_SYSCALL_DIRECT handlers.
  k::ucontext* uc;
  Thread* thread;
  // The application's signal mask as it will be once the call returns
  // (the frame's uc_sigmask, or what the trap-free path restores).
  uint64_t* app_mask;
};

// lb_direct_dispatch's "take the trap after all" (no result, no errno).
inline constexpr long kTakeTrap = -4096;

// The registers lb_direct_entry saved (rt/direct_entry.S), lowest first.
struct DirectFrame {
  uint64_t nr;
  uint64_t mask;  // the application's signal mask, restored by the entry
  uint64_t r15, r14, r13, r12, rbp, rbx, r9, r8, r10, rdx, rsi, rdi, rflags;
  uint64_t ret;  // into the stub (site_patch.cpp): names the site
};

// Installs the SIGSYS handler and the dispatch table.
void dispatch_init();
// Name of a syscall number ("?" when unassigned), for logs.
const char* syscall_name(long nr);
// The common answer for an emulation that is not written yet: ENOSYS plus
// one debug-log line naming the call.
long unimplemented(SyscallCtx& c, const char* name);
// Virtual pid of a child of this process known by its host pid, or 0 (a
// lookup in this process's own table: no request, safe in a handler).
int child_vpid_local(int host);
// The host pid of our child `vpid` (0: not a child we forked).
int child_host_local(int vpid);
// ppoll for `events` on `fd` (or a plain sleep when fd < 0) with the
// application's signal mask, so that its signals interrupt a blocking
// emulation (connect, a FIFO's open) as they would the real call.
// timeout_ns < 0: no timeout. Returns ppoll's result.
long poll_with_app_mask(SyscallCtx& c, int fd, short events, long timeout_ns);
// PR_SET_KEEPCAPS (prctl, misc.cpp): the supervisor keeps it for its
// capability rules (identity.cpp). 0 or -errno.
long set_keep_caps(long on);

}  // namespace lb

// Every handler has this signature; rows without an implementation get a
// weak default that returns unimplemented().
#define LB_SYSCALL(name) extern "C" long sys_##name(lb::SyscallCtx& c)
// A handler that never touches the signal frame (c.uc; c.thread and
// c.app_mask are always there): its call sites may be patched to reach it
// without a trap (site_patch.cpp).
#define LB_SYSCALL_DIRECT(name)                  \
  extern "C" const bool lb_direct_##name = true; \
  LB_SYSCALL(name)
