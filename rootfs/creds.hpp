// Virtual credentials of one guest process and the permission rules the
// proxy applies with them. The supervisor runs as host root, so the kernel's
// own checks pass for everything it opens: these functions are the checks.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <vector>

namespace litebox::rootfs {

// Capability bit numbers used by the file rules (linux/capability.h).
inline constexpr int kCapChown = 0;
inline constexpr int kCapDacOverride = 1;
inline constexpr int kCapDacReadSearch = 2;
inline constexpr int kCapFowner = 3;
inline constexpr int kCapFsetid = 4;
inline constexpr int kCapMknod = 27;

struct Creds {
  uint32_t ruid = 0, euid = 0, suid = 0, fsuid = 0;
  uint32_t rgid = 0, egid = 0, sgid = 0, fsgid = 0;
  std::vector<uint32_t> groups;
  uint64_t cap_effective = 0xa80425fbULL;  // runc's default set
  uint64_t cap_permitted = 0xa80425fbULL;  // what capset and a return to uid 0 may raise
  uint64_t cap_inheritable = 0;
  uint64_t cap_bounding = 0xa80425fbULL;
  bool keep_caps = false;  // PR_SET_KEEPCAPS: leaving uid 0 keeps permitted
  uint32_t umask = 022;

  bool HasCap(int cap) const { return (cap_effective >> cap) & 1; }
  bool InGroup(uint32_t gid) const;  // fsgid or a supplementary group
  // CAP_FOWNER or owning the inode: may chmod, set times, etc.
  bool OwnsOrFowner(const struct stat& st) const {
    return st.st_uid == fsuid || HasCap(kCapFowner);
  }
};

// Access bits as in access(2).
inline constexpr int kMayRead = 4, kMayWrite = 2, kMayExec = 1;

// Whether `c` may access an inode with `st` for `mask` (kMay* bits), the way
// generic_permission() decides: owner, group or other bits, then
// CAP_DAC_OVERRIDE (any access, except execute of a non-directory with no x
// bit at all) and CAP_DAC_READ_SEARCH (read, and search of directories).
// Capabilities come only from cap_effective, so a root user whose
// capabilities were dropped is refused like any other user.
// `use_real_ids` checks with ruid/rgid (access(2) without AT_EACCESS).
bool MayAccess(const Creds& c, const struct stat& st, int mask, bool use_real_ids = false);

// Sticky-directory rule for unlink/rename: in a sticky dir only the file's
// owner, the dir's owner or CAP_FOWNER may remove an entry.
bool MayDeleteFromSticky(const Creds& c, const struct stat& dir, const struct stat& victim);

}  // namespace litebox::rootfs
