// Constants shared by the freestanding library OS and the hosted supervisor.
// Plain integers only: this header is compiled both with and without libc.
#pragma once

#include <stdint.h>

namespace litebox::abi {

// The libOS keeps one fd of its own in every guest process: its request
// channel to the supervisor (SOCK_SEQPACKET), always at this number. It is
// low on purpose: fork copies the kernel's fd table up to the highest open
// fd, and a channel at 16352 (where it once sat) made every fork copy a
// 16K-entry table (~49 us of dup_fd). At 1024 the table is 2K entries. The
// application's RLIMIT_NOFILE is its own (from the OCI spec, or the
// caller's for `litebox do`), so an application that raised its soft limit
// may hold fds on both sides of the channel; the partition filter passes
// close, dup3 and close_range only when they cannot touch it (their checks
// in syscall_table.def) and the libOS answers the rest, so no application
// call closes, replaces or names the channel. The kernel never hands it out
// either: it is open, and fd allocation takes the lowest free number.
inline constexpr int kChannelFd = 1024;

// An fd number an application call may name: not negative, not the channel.
inline constexpr bool IsAppFd(long fd) {
  return fd >= 0 && fd != kChannelFd;
}

// SECCOMP_RET_DATA carried by the partition filter's TRAP actions. The
// SIGSYS handler sees it in si_errno and so tells its own traps apart from
// traps raised by a filter the application installed.
inline constexpr uint16_t kTrapTag = 0x4c42;  // "LB"

// Highest x86-64 syscall number the table classifies (Linux 6.19).
inline constexpr int kMaxSyscall = 470;

// Per-thread libOS block + alternate signal stack, one aligned region per
// thread: the SIGSYS handler finds its block by masking its stack pointer.
inline constexpr uint64_t kThreadRegionSize = 256 * 1024;

}  // namespace litebox::abi
