// The supervisor's side of the sandbox's lookup cache (libos/abi/proto.h,
// "Lookup cache"): a sealed memfd of LookupSlots that every guest maps
// read-only and only this class writes.
//
// Coherence: an entry depends on the directories along its clean path
// (Resolved::plain_path; no symlink, mount or virtual tree on the way) and
// on those a ".." stepped out of (Resolved::plain_up). A change the
// sandbox makes to a name at canonical path Q (create, remove, rename,
// link, chmod, chown, utimes, a socket bound there) drops, before it is
// made, every entry with a dependency that is Q or lies below it, and the
// entries of Q's parent directory (its mtime and link count change).
// Writes through fds never touch an entry: none holds a regular file's or
// a symlink's attributes. What this cannot see, a change made from outside
// the sandbox, shows once the entry expires (kLookupTtlCycles).
//
// Only processes with CAP_DAC_OVERRIDE or CAP_DAC_READ_SEARCH use it
// (Tag): every entry is then something any of them may look up anyway,
// and a process without them never maps it (the libOS drops its mapping
// when its credentials lose them), so it learns nothing of names in
// directories it may not search.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "libos/abi/proto.h"
#include "rootfs/creds.hpp"

namespace litebox::rootfs {

class LookupCache {
 public:
  // A new cache, mapped here; fd() is the sealed memfd to send to guests.
  // Null with *err on failure.
  static std::unique_ptr<LookupCache> Create(std::string* err);
  ~LookupCache();
  LookupCache(const LookupCache&) = delete;
  LookupCache& operator=(const LookupCache&) = delete;

  int fd() const { return fd_; }
  bool empty() const { return by_dep_.empty(); }

  // ShmControl::lookup_tag for these credentials: 1 with
  // CAP_DAC_OVERRIDE or CAP_DAC_READ_SEARCH (no directory's search
  // permission decides their lookups, so the answers are the same for all
  // of them), else 0: not for them.
  static uint32_t Tag(const Creds& c) {
    return c.HasCap(kCapDacOverride) || c.HasCap(kCapDacReadSearch) ? 1 : 0;
  }

  // Publishes the answer to a request (op, args, absolute path) by a
  // process with `tag` that depends on `plain_path` and `plain_up` only,
  // if it is one the cache holds (see proto.h); `payload` is the reply's.
  // Anything else is ignored.
  void Offer(uint32_t op, const int64_t* args, uint32_t tag, std::string_view path, int64_t result,
             std::string_view payload, const std::string& plain_path,
             const std::vector<std::string>& plain_up);
  // A name at canonical path `q` changed (see above).
  void Changed(const std::string& q);
  // Only `q`'s own entries (a directory whose atime a listing may move).
  void ChangedExactly(const std::string& q);

  // For tests: the slot a key maps to.
  const proto::LookupSlot& SlotFor(uint32_t op, int32_t key_flag, uint32_t tag,
                                   std::string_view path) const;

 private:
  LookupCache(int fd, proto::LookupSlot* slots) : fd_(fd), slots_(slots) {}
  void Drop(uint32_t index);
  void Forget(uint32_t index);  // removes the slot from by_dep_

  int fd_;
  proto::LookupSlot* slots_;
  // Which slots hold an entry depending on each clean path.
  std::map<std::string, std::vector<uint32_t>, std::less<>> by_dep_;
  std::vector<std::vector<std::string>> deps_of_ =
      std::vector<std::vector<std::string>>(proto::kLookupSlots);
};

}  // namespace litebox::rootfs
