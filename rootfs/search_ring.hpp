// Path lookups with a guest's credentials, without changing the proxy
// thread's own. SearchAs switches the thread's fs ids, groups and
// capabilities for one lookup and back; each switch is a commit_creds in
// the kernel (~1.3 us here), so a `runc spec` root (two capsets) paid
// ~4 us and a uid-1000 guest ~9 us on every stat or open. io_uring runs a
// request with registered credentials (a "personality") by overriding the
// submitter's for that request only, which costs next to nothing: the
// credentials of each class are registered once (under SearchAs), and an
// openat2 is then one io_uring_enter.
//
// One ring per process (a forked child drops its parent's and makes its
// own), used under a lock, one request at a time. Where io_uring is missing or refused
// (kernel.io_uring_disabled, a seccomp profile around the runtime), Get()
// is null and the caller switches credentials with SearchAs instead.
#pragma once

#include <cstdint>

#include "rootfs/creds.hpp"

namespace litebox::rootfs {

class SearchRing {
 public:
  // This process's ring, made on first use; null if io_uring is unusable.
  static SearchRing* Get();
  // Tests run both ways: false makes Get() null until set again.
  static void SetEnabledForTesting(bool enabled);
  // Tests: every request through the kernel's worker (IOSQE_ASYNC), as a
  // lookup the dentry cache cannot answer goes; and how many opens this
  // process's ring has made.
  static void ForceAsyncForTesting(bool async);
  static uint64_t OpensForTesting();

  // The personality of `c`'s file credentials (fsuid, fsgid, groups; no
  // effective capability), registered on first use; -1 if it cannot be
  // (the caller then uses SearchAs). Only for searchers without
  // CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (those search as the proxy).
  int PersonalityFor(const Creds& c);
  // openat2(dirfd, path, {flags, 0, resolve}) with that personality's
  // credentials: the new fd, or -errno. A directory the credentials may
  // not search fails with -EACCES as the kernel's own walk does.
  int Openat2(int personality, int dirfd, const char* path, uint64_t flags, uint64_t resolve);

  SearchRing(const SearchRing&) = delete;
  SearchRing& operator=(const SearchRing&) = delete;

 private:
  SearchRing() = default;
  ~SearchRing();
  bool Init();
  void AbandonInChild();  // unmaps and closes; system calls only
  struct State;
  State* s_ = nullptr;
};

}  // namespace litebox::rootfs
