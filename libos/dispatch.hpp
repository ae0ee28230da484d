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
  k::ucontext* uc;  // the application's context: handlers may rewrite it (execve, clone)
  Thread* thread;
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

}  // namespace lb

// Every handler has this signature; rows without an implementation get a
// weak default that returns unimplemented().
#define LB_SYSCALL(name) extern "C" long sys_##name(lb::SyscallCtx& c)
