// The supervisor's side of the sandbox's lookup caches (libos/abi/proto.h,
// "Lookup cache"): sealed memfds of LookupSlots that guests map read-only
// and only this code writes, one per class of credentials (LookupCaches).
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
// Confidentiality: an answer depends on the asker's right to search the
// directories on the way, so each class of credentials that decides it
// (LookupCaches::TagOf) has a memfd of its own, and a process maps only
// its own class's (the libOS swaps the mapping when a setuid or setgroups
// moves it to another): nothing in it is what the process could not have
// looked up itself.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
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

// The caches of one sandbox, one per class of credentials.
class LookupCaches {
 public:
  // At most this many classes get a cache, the DAC-capable one included (a
  // sandbox with more users than that asks the proxy for the rest).
  static constexpr size_t kMaxClasses = 8;

  // The tag (ShmControl::lookup_tag) of a process with these credentials,
  // its cache made if need be: 1 for every process with CAP_DAC_OVERRIDE
  // or CAP_DAC_READ_SEARCH (no directory's search permission decides their
  // lookups), else one per (fsuid, fsgid, groups); 0: none (no room, or no
  // memfd to be had).
  uint32_t TagOf(const Creds& c);
  // The cache of a tag TagOf gave (null for 0).
  LookupCache* For(uint32_t tag) const;

  bool empty() const;
  // As LookupCache's, for every class.
  void Changed(const std::string& q);
  void ChangedExactly(const std::string& q);
  void Offer(uint32_t op, const int64_t* args, uint32_t tag, std::string_view path, int64_t result,
             std::string_view payload, const std::string& plain_path,
             const std::vector<std::string>& plain_up);

 private:
  struct Class {
    uint32_t fsuid, fsgid;
    std::vector<uint32_t> groups;
    bool operator<(const Class& o) const {
      return std::tie(fsuid, fsgid, groups) < std::tie(o.fsuid, o.fsgid, o.groups);
    }
  };
  std::map<Class, uint32_t> tags_;
  std::map<uint32_t, std::unique_ptr<LookupCache>> caches_;
  bool failed_ = false;  // a memfd could not be made: no more classes
};

}  // namespace litebox::rootfs
