// Constants shared by the freestanding library OS and the hosted supervisor.
// Plain integers only: this header is compiled both with and without libc.
#pragma once

#include <stdint.h>

namespace litebox::abi {

// The libOS keeps its own fds at kReservedFdBase and above. The guest's
// RLIMIT_NOFILE (soft and hard) is clamped to kReservedFdBase, so the kernel
// never allocates or dups an application fd onto them (partition, "What the
// pass class relies on"). 16384 keeps the kernel fd table small (fork copies
// it) while leaving servers room for ~16k connections.
inline constexpr int kReservedFdBase = 16384 - 32;
// The guest process's request channel to its supervisor (SOCK_SEQPACKET).
inline constexpr int kChannelFd = kReservedFdBase;
// Scratch fd the libOS uses while loading images (closed afterwards).
inline constexpr int kLoaderFd = kReservedFdBase + 1;
// The libOS's own executable (so execve can reload nothing of it; kept open
// for /proc/self/exe of the libOS and for debugging).
inline constexpr int kLastReservedFd = kReservedFdBase + 31;

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
