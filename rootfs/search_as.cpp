#include "rootfs/search_as.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace litebox::rootfs {
namespace {

long Sys(long nr, long a = 0, long b = 0) {
  return syscall(nr, a, b);
}

// setfsuid/setfsgid answer with the previous id and cannot fail visibly:
// the id in force is read back with an invalid argument (-1).
uint32_t CurrentFsuid() {
  return static_cast<uint32_t>(Sys(SYS_setfsuid, -1));
}
uint32_t CurrentFsgid() {
  return static_cast<uint32_t>(Sys(SYS_setfsgid, -1));
}

}  // namespace

bool GetThreadCaps(__user_cap_data_struct data[2]) {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  return syscall(SYS_capget, &hdr, data) == 0;
}
bool SetThreadCaps(const __user_cap_data_struct data[2]) {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  return syscall(SYS_capset, &hdr, data) == 0;
}

SearchAs::SearchAs(const Creds& c) {
  uint64_t all = ~0ull;
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old_sigmask_, sizeof all);
  // Changing fsuid or raising capabilities (the restore does both) clears
  // the parent-death signal and resets the dumpable flag: kept to restore.
  prctl(PR_GET_PDEATHSIG, &old_pdeath_, 0, 0, 0);
  old_dumpable_ = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
  if (old_pdeath_ != 0) old_ppid_ = getppid();
  old_fsuid_ = CurrentFsuid();
  old_fsgid_ = CurrentFsgid();
  if (!GetThreadCaps(old_caps_)) return;
  long n = Sys(SYS_getgroups, 0, 0);
  if (n < 0) return;
  old_groups_.resize(static_cast<size_t>(n));
  if (n > 0 && Sys(SYS_getgroups, n, reinterpret_cast<long>(old_groups_.data())) != n) return;

  if (old_groups_ != c.groups) {
    if (Sys(SYS_setgroups, static_cast<long>(c.groups.size()),
            reinterpret_cast<long>(c.groups.data())) != 0)
      return;
    groups_set_ = true;
  }
  if (c.fsgid != old_fsgid_) {
    Sys(SYS_setfsgid, c.fsgid);
    fsgid_set_ = true;
    if (CurrentFsgid() != c.fsgid) return;
  }
  if (c.fsuid != old_fsuid_) {
    // Leaving fsuid 0 clears the file capabilities (DAC_OVERRIDE,
    // DAC_READ_SEARCH, FOWNER...) from the effective set; returning to 0
    // raises them again from the permitted set.
    Sys(SYS_setfsuid, c.fsuid);
    fsuid_set_ = true;
    if (CurrentFsuid() != c.fsuid) return;
  }
  // A root guest without the capabilities (fsuid stays 0, so the set is
  // still old_caps_): drop them by hand.
  constexpr uint32_t kSearchCaps = (1u << kCapDacOverride) | (1u << kCapDacReadSearch);
  __user_cap_data_struct now[2] = {old_caps_[0], old_caps_[1]};
  if (c.fsuid == 0 && (now[0].effective & kSearchCaps)) {
    now[0].effective &= ~kSearchCaps;
    if (!SetThreadCaps(now)) return;
    caps_set_ = true;
  }
  ok_ = true;
}

SearchAs::~SearchAs() {
  int saved = errno;
  bool restored = true;
  // fsuid first: going back to 0 raises the file capabilities, which the
  // capset below then makes exactly the old set again.
  if (fsuid_set_) {
    Sys(SYS_setfsuid, old_fsuid_);
    restored &= CurrentFsuid() == old_fsuid_;
  }
  if (fsgid_set_) {
    Sys(SYS_setfsgid, old_fsgid_);
    restored &= CurrentFsgid() == old_fsgid_;
  }
  if (groups_set_)
    restored &= Sys(SYS_setgroups, static_cast<long>(old_groups_.size()),
                    reinterpret_cast<long>(old_groups_.data())) == 0;
  if (caps_set_ || fsuid_set_) restored &= SetThreadCaps(old_caps_);
  // The proxy with a guest's credentials would answer later requests
  // wrongly (refusing, never granting more: these only lower rights), but
  // a proxy that cannot restore its own credentials is broken: stop.
  if (!restored) abort();
  if (fsuid_set_ || fsgid_set_ || caps_set_) {
    if (old_dumpable_ >= 0) prctl(PR_SET_DUMPABLE, old_dumpable_, 0, 0, 0);
    if (old_pdeath_ != 0) {
      prctl(PR_SET_PDEATHSIG, old_pdeath_, 0, 0, 0);
      // A parent that died in between sent nothing: the signal now.
      if (getppid() != old_ppid_) kill(getpid(), old_pdeath_);
    }
  }
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old_sigmask_, nullptr, sizeof old_sigmask_);
  errno = saved;
}

}  // namespace litebox::rootfs
