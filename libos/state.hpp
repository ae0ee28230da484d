// libOS-wide state: one Process per host process, one Thread block per host
// thread. No TLS: a thread's block sits at the base of its aligned region,
// whose top part is the thread's alternate signal stack, so the SIGSYS
// handler finds it by masking its own stack pointer.
#pragma once

#include <stdint.h>

#include "libos/abi/constants.h"
#include "libos/rt/kernel.hpp"
#include "libos/rt/util.hpp"

namespace lb {

struct Thread {
  uint64_t magic;
  int host_tid;
  // A new thread's start context (filled by the creator, consumed by the
  // child before it enters the application).
  k::ucontext start_uc;
};
inline constexpr uint64_t kThreadMagic = 0x4c42544852454144ull;  // "LBTHREAD"
inline constexpr uint64_t kThreadBlock = 8192;                   // block + guard page
inline constexpr uint64_t kGuard = 4096;

// Allocates an aligned thread region (block, guard page, alternate stack).
Thread* thread_alloc();
// The alternate stack of a region, as sigaltstack/uc_stack wants it.
inline void* thread_stack_base(Thread* t) {
  return reinterpret_cast<char*>(t) + kThreadBlock;
}
inline uint64_t thread_stack_size() {
  return abi::kThreadRegionSize - kThreadBlock;
}
inline Thread* current_thread_from_sp(uintptr_t sp) {
  return reinterpret_cast<Thread*>(sp & ~(abi::kThreadRegionSize - 1));
}

struct Process {
  uint32_t vpid = 0, vppid = 0, vpgid = 0, vsid = 0;
  int host_pid = 0;  // the kernel's pid of this process (for the few host calls naming it)
  uint32_t ruid = 0, euid = 0, suid = 0, fsuid = 0;
  uint32_t rgid = 0, egid = 0, sgid = 0, fsgid = 0;
  uint32_t ngroups = 0;
  uint32_t groups[64] = {};
  uint64_t cap_eff = 0, cap_prm = 0, cap_inh = 0, cap_bnd = 0, cap_amb = 0;
  bool keep_caps = false;  // PR_SET_KEEPCAPS (the supervisor keeps its own; execve clears both)
  uint32_t umask = 022;
  uint32_t launch_flags = 0;
  // The application's RLIMIT_NOFILE hard limit (misc.cpp; LaunchInfo).
  uint64_t nofile_hard = abi::kChannelFd;
  // The highest RLIMIT_NOFILE soft limit this process (or an ancestor) ever
  // had: no fd of it is above (exec's close-on-exec scan, process.cpp).
  uint64_t nofile_soft_max = 0;
  // This process or an ancestor opened an O_PATH fd, which poll() reports
  // as not open: exec then asks the supervisor for the fd list instead.
  bool opath_seen = false;
  char* cwd = nullptr;  // canonical virtual path
  char* exe = nullptr;  // virtual path of the running image
  // The same, symlinks resolved, as readlink(/proc/self/exe) shows it
  // (the supervisor's answer to kExecDone); null until it answered.
  char* exe_canon = nullptr;
  // Set once this process makes a thread: only then does execve need the
  // supervisor to end other threads first.
  bool threads_made = false;
  // Whether vpgid may be trusted: a parent can move its child to another
  // group until the child execs (identity.cpp, own_pgid).
  enum PgidState : uint8_t { kPgidCached, kPgidAskAlways, kPgidAskOnce };
  PgidState pgid_state = kPgidCached;
  // The kernel's own mappings (vdso, vvar...), read from /proc/self/maps
  // once per process tree (children inherit them with the memory): execve
  // then unmaps the old image without asking the proxy for the maps.
  // nspecial < 0: not read yet.
  static constexpr int kMaxSpecial = 8;
  uint64_t special[kMaxSpecial][2] = {};
  int nspecial = -1;
  // Virtual program break (DESIGN: the host break belongs to the libOS image).
  uint64_t brk_start = 0, brk_cur = 0, brk_mapped = 0;
  // The application's view of each signal's action (SIGSYS stays virtual).
  k::sigaction actions[k::kNSig + 1] = {};
  // The application's alternate stack (virtual; the host one is the libOS's).
  k::stack_t app_altstack = {nullptr, k::SS_DISABLE, 0, 0};
  // From the libOS's own auxv, passed on to images it loads.
  uint64_t at_sysinfo_ehdr = 0, at_hwcap = 0, at_hwcap2 = 0, at_minsigstksz = 0;
  uint64_t at_clktck = 100;
  bool debug = false;
  volatile bool exec_in_progress = false;  // other threads exit on SIGSYS
  Lock lock;
};

extern Process g_proc;

}  // namespace lb
