#include "rootfs/creds.hpp"

#include <algorithm>

namespace litebox::rootfs {

bool Creds::InGroup(uint32_t gid) const {
  return gid == fsgid || std::find(groups.begin(), groups.end(), gid) != groups.end();
}

bool MayAccess(const Creds& c, const struct stat& st, int mask, bool use_real_ids) {
  mask &= kMayRead | kMayWrite | kMayExec;
  if (mask == 0) return true;
  uint32_t uid = use_real_ids ? c.ruid : c.fsuid;
  uint32_t gid = use_real_ids ? c.rgid : c.fsgid;
  bool in_group =
      st.st_gid == gid || std::find(c.groups.begin(), c.groups.end(), st.st_gid) != c.groups.end();
  unsigned bits;
  if (st.st_uid == uid) {
    bits = (st.st_mode >> 6) & 7;
  } else if (in_group) {
    bits = (st.st_mode >> 3) & 7;
  } else {
    bits = st.st_mode & 7;
  }
  if ((bits & mask) == static_cast<unsigned>(mask)) return true;

  bool is_dir = S_ISDIR(st.st_mode);
  if (c.HasCap(kCapDacOverride)) {
    if (!(mask & kMayExec) || is_dir || (st.st_mode & 0111)) return true;
  }
  if (c.HasCap(kCapDacReadSearch)) {
    int rest = mask & ~kMayRead;
    if (is_dir) rest &= ~kMayExec;
    if ((rest & ~static_cast<int>(bits)) == 0) return true;
  }
  return false;
}

bool MayDeleteFromSticky(const Creds& c, const struct stat& dir, const struct stat& victim) {
  if (!(dir.st_mode & S_ISVTX)) return true;
  return victim.st_uid == c.fsuid || dir.st_uid == c.fsuid || c.HasCap(kCapFowner);
}

}  // namespace litebox::rootfs
