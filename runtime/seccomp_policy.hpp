// The partition filter (DESIGN §3): the seccomp BPF program every guest
// process runs under, generated from libos/syscall_table.def.
//
// Program layout (see BuildPartitionFilter):
//   1. hand-written prefix: foreign arch / x32 bit -> KILL_PROCESS;
//      nr > abi::kMaxSyscall, or in the longest run of numbers the table
//      leaves out (337-423) -> ERRNO(ENOSYS); gate numbers: when
//      instruction_pointer == gate_ip, the row's GATE form decides; three
//      checks libseccomp 2.5 cannot express over the kernel's 32-bit view of
//      an int argument (setsockopt, getsockopt, membarrier);
//   2. the program libseccomp exports for every other per-number rule
//      (default TRAP);
//   3. every TRAP carries abi::kTrapTag in SECCOMP_RET_DATA.
// Only gate numbers ever load instruction_pointer, and PASS rows without a
// CHECK are decided from arch and nr alone, so the kernel's action cache
// makes them free.
//
// Cases of an "else ERRNO(x)" the filter leaves to the libOS (they TRAP and
// sys_<name> must answer x): futex ops outside both the plain and the PI
// lists (ENOSYS); pipe2 with other flags (EINVAL); socket() with AF_INET/6
// and an unlisted type or protocol (EPROTONOSUPPORT), and with a family
// whose upper 32 bits are set (the kernel would see the low half).
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace litebox::runtime {

// Token names match the .def vocabulary so the table can be X-macro'd in.
enum class SysClass { PASS, EMULATE, DENY_ENOSYS, DENY_EPERM, DENY_EACCES };

enum class ArgCheck {
  NONE,
  FD_NOT_CHANNEL,
  NEWFD_NOT_CHANNEL,
  RANGE_SKIPS_CHANNEL,
  IOCTL_LIST,
  FCNTL_LIST,
  PRCTL_LIST,
  ARCH_PRCTL_LIST,
  SOCKET_LIST,
  SOCKETPAIR_UNIX,
  SETSOCKOPT,
  GETSOCKOPT,
  CLOCK_LIST,
  FUTEX_OPS,
  PID_ZERO,
  PRLIMIT_SELF,
  PIDFD_SELF,
  IPC_PRIVATE,
  SHMCTL_CMDS,
  SEMCTL_CMDS,
  MSGCTL_CMDS,
  PIPE2_FLAGS,
  MEMBARRIER,
  IO_SETUP_CAP,
  NULL_ARG3,
  NULL_ARG4,
  NULL_ARG5,
};

enum class GateForm {
  NOGATE,
  GATE_ANY,
  GATE_CLONE,
  GATE_SECCOMP,
  GATE_CLOCK,
  GATE_IPC,
  GATE_IOCTL_PGRP,
  GATE_FCNTL_OWN,
  GATE_PEERCRED,
  GATE_SHMCTL,
  GATE_SEMCTL,
  GATE_MSGCTL,
  GATE_DUP_CHANNEL,
};

struct SyscallRow {
  int nr;
  const char* name;
  SysClass cls;
  ArgCheck check;
  GateForm gate;
};

// The rows of libos/syscall_table.def, in file order.
std::span<const SyscallRow> SyscallTable();

struct PolicyOptions {
  bool network = false;  // AF_INET/AF_INET6 allowed
  uint32_t io_setup_cap = 128;
};

// The complete program for seccomp(SECCOMP_SET_MODE_FILTER). gate_ip is the
// address right after the libOS's gate `syscall` instruction (what the
// kernel reports as seccomp_data.instruction_pointer). On failure returns an
// empty vector and sets *err (naming the syscall or libseccomp call).
std::vector<sock_filter> BuildPartitionFilter(uint64_t gate_ip, const PolicyOptions& options,
                                              std::string* err);

struct PolicyStats {
  int pass = 0, emulate = 0, deny_enosys = 0, deny_eperm = 0, deny_eacces = 0;
  int gate = 0;            // EMULATE rows reachable through the gate (the gate set)
  int host_reachable = 0;  // pass + gate: numbers the app can make the host run
  std::vector<std::string> pass_names, gate_names;
};

PolicyStats ComputePolicyStats();

// Human-readable report for `litebox policy --stats`.
std::string FormatPolicyStats(const PolicyStats& stats);

}  // namespace litebox::runtime
