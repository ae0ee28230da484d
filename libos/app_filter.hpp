// The application's own seccomp filters (seccomp(2), prctl(PR_SET_SECCOMP),
// the OCI config's linux.seccomp), on top of the partition.
//
// Each filter is installed twice:
//  - in the kernel, behind a prefix that ALLOWs the libOS's own syscall
//    sites (the gate and its two rt_sigreturn trampolines), so the app's
//    rules bind every syscall the application makes but never the library
//    OS's work on its behalf. For a passed syscall the kernel's answer is
//    final (ERRNO, KILL, TRAP). For an emulated one the partition's TRAP
//    outranks ERRNO/LOG/ALLOW, so the call still reaches the libOS...
//  - ...which keeps a copy and runs it itself (check()) before emulating,
//    with the same seccomp_data the kernel saw: an ERRNO the app's filter
//    asks for is answered instead of the emulation. An app TRAP or KILL
//    outranks or ties the partition's TRAP in the kernel: the kernel kills,
//    or the SIGSYS carries the app's RET_DATA and is the app's (deliver()).
#pragma once

#include <stdint.h>

#include "libos/dispatch.hpp"

namespace lb::app_filter {

// seccomp(SECCOMP_SET_MODE_FILTER, flags, prog) for the application:
// 0 or -errno, as the kernel answers.
long install(unsigned long flags, const void* user_fprog);
// True if any application filter is in force.
bool active();
// For an emulated (partition-trapped) call: false to go on emulating; true
// with *result set when the application's filters answer it themselves.
bool check(const SyscallCtx& c, uint64_t call_ip, long* result);
// A SIGSYS raised by an application filter (RET_DATA not the partition's
// tag): runs the app's SIGSYS handler if it has one, else dies of SIGSYS as
// the kernel's default action would.
void deliver(k::siginfo* si, k::ucontext* uc);

}  // namespace lb::app_filter
