// Lets the kernel check directory search permission for a guest during a
// lookup. The proxy runs as host root, so its own path walks pass every
// search check; for a guest with neither CAP_DAC_OVERRIDE nor
// CAP_DAC_READ_SEARCH (every `runc spec` bundle) the proxy would otherwise
// have to open and check each directory on the way itself. With the
// calling thread's fs ids, groups and effective capabilities set to the
// guest's for the duration of an openat2, a single call walks the path with
// the guest's search checks (POSIX ACLs included) and fails with EACCES
// where the guest may not pass.
//
// Thread-local by nature: fsuid, fsgid, groups and capabilities are
// per-thread credentials, and only raw system calls are used (glibc would
// broadcast setgroups to every thread). Signals are blocked meanwhile (a
// handler must not run with a guest's credentials), and what a credential
// change resets as a side effect (the parent-death signal, the dumpable
// flag) is put back.
#pragma once

#include <linux/capability.h>

#include <cstdint>
#include <vector>

#include "rootfs/creds.hpp"

namespace litebox::rootfs {

// The calling thread's capability sets (raw capget/capset, version 3: two
// words per set).
bool GetThreadCaps(__user_cap_data_struct data[2]);
bool SetThreadCaps(const __user_cap_data_struct data[2]);

class SearchAs {
 public:
  // Switches to `c`'s file credentials; ok() says whether every step took
  // (in a user namespace setgroups may be refused, for one). Whatever was
  // switched is switched back by the destructor.
  explicit SearchAs(const Creds& c);
  ~SearchAs();
  SearchAs(const SearchAs&) = delete;
  SearchAs& operator=(const SearchAs&) = delete;
  bool ok() const { return ok_; }

 private:
  bool ok_ = false;
  bool groups_set_ = false, caps_set_ = false;
  uint64_t old_sigmask_ = 0;
  int old_pdeath_ = 0, old_dumpable_ = 1, old_ppid_ = 0;
  uint32_t old_fsuid_ = 0, old_fsgid_ = 0;
  bool fsuid_set_ = false, fsgid_set_ = false;
  std::vector<uint32_t> old_groups_;
  __user_cap_data_struct old_caps_[2] = {};
};

}  // namespace litebox::rootfs
