// The sandbox's root file system and mount table, and path resolution that
// never leaves them.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "rootfs/creds.hpp"
#include "rootfs/unique_fd.hpp"
#include "rootfs/vnode.hpp"

namespace litebox::rootfs {

struct Mount {
  std::string destination;  // absolute path inside the sandbox
  enum Kind { kBind, kTmpfs } kind = kBind;
  std::string host_source;  // kBind: host file or directory
  bool readonly = false;
};

// The outcome of resolving one virtual path.
struct Resolved {
  enum Kind { kHost, kVirtual, kMissing } kind = kMissing;
  std::string vpath;  // canonical virtual path (symlinks resolved); for kMissing, of the new entry
  UniqueFd fd;        // kHost: O_PATH fd of the object (the symlink itself if not followed)
  // kHost: fd is the object opened for real with Resolve's open_flags (plus
  // O_NONBLOCK, which the caller clears if it was not asked for).
  bool opened = false;
  struct stat st {};  // kHost: its fstat
  // O_PATH fd of the host directory holding the last component; empty if
  // that directory is virtual or the object is the root of a mount.
  UniqueFd parent;
  std::string name;         // last component ("" for "/")
  int mount = 0;            // mount holding the object (kHost) or the new entry (kMissing)
  bool mount_root = false;  // the object is "/" or a mount point
  bool parent_virtual = false;
  // kMissing named with a trailing "/": only a directory may be made there
  // (mkdir, or a directory renamed to it); a file's create is EISDIR, a
  // node's or link's ENOENT.
  bool dir_only = false;
  VNode node;  // kVirtual
  // Set when the answer (this one, or the -ENOENT/-ENOTDIR Resolve
  // returned) came from one kernel walk of the path with no symlink, mount
  // point or virtual tree on the way: the lexically clean path, whose
  // directories are all that answer depends on (rootfs/lookup_cache.hpp),
  // with those a ".." stepped out of (plain_up: "/a/x/../b" needs /a/x).
  std::string plain_path;
  std::vector<std::string> plain_up;
};

class RootFs {  // thread-compatible; one per sandbox
 public:
  // host_root: the root file system directory. mounts: bind sources must
  // exist; tmpfs dirs are created private (0700 parent) under
  // scratch_parent ($TMPDIR or /tmp if empty) and removed with the RootFs.
  // /dev/shm gets a private tmpfs dir unless a mount covers it. Mount points
  // are created inside the root (like runc) where the root is writable.
  static std::unique_ptr<RootFs> Open(const std::string& host_root, bool readonly_root,
                                      std::vector<Mount> mounts, std::string* err,
                                      const std::string& scratch_parent = "");
  ~RootFs();
  RootFs(const RootFs&) = delete;
  RootFs& operator=(const RootFs&) = delete;

  // Resolves an absolute virtual path component by component: each step is
  // openat2(dir, name, O_PATH|O_NOFOLLOW, RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|
  // RESOLVE_NO_MAGICLINKS) from the directory reached so far, so no step
  // can leave it; symlinks are read and resolved against the *virtual* root
  // (so they may cross into mounts and /proc), ".." pops to the canonical
  // parent and stops at "/", at most 40 links are followed (-ELOOP).
  // Mount points and virtual nodes (via `lookup`) are checked at each step.
  // A trailing '/' requires a directory and follows a final symlink.
  // With `searcher`, every host directory looked into must grant it search
  // (x) permission (-EACCES), as path walks do for non-root users.
  // Returns 0, or -errno (-ENOENT for a missing middle component, -ENOTDIR).
  // A missing last component is success with kind kMissing.
  // Fast path, same answers: a path with no "..", no mount point or virtual
  // tree on it and no symlink in it (RESOLVE_NO_SYMLINKS proves the last)
  // is opened by the kernel in one openat2(RESOLVE_IN_ROOT) for its
  // directory and one for its last component; anything else falls back to
  // the walk. need_parent false: the caller never uses out->parent of an
  // existing object (open, stat, chmod...), so an existing one is opened
  // in a single openat2 and out->parent stays empty.
  //
  // open_flags >= 0 (read-only opens: no O_CREAT, O_TRUNC, O_PATH, write
  // access): where the fast path finds a regular file or directory on the
  // root's own mount and that mount is nodev (root_nodev()), the object is
  // opened for real in that one openat2 (out->opened), saving the reopen
  // through /proc. RESOLVE_NO_XDEV keeps it on the root mount, and nodev
  // means no device node can be opened by it before its type is known.
  int Resolve(const std::string& abs_path, bool follow_last, const VirtualLookup& lookup,
              Resolved* out, const Creds* searcher = nullptr, bool need_parent = true,
              int open_flags = -1) const;

  // The root directory opened again from whatever is mounted at its path
  // now (the supervisor's private nodev bind mount of it). False with *err.
  bool ReopenRoot(std::string* err);
  bool root_nodev() const { return root_nodev_; }
  const std::string& root_path() const { return mounts_[0].host_source; }

  // Maps a host path back to the virtual path it has in the sandbox
  // (longest matching mount source). False if it is outside every mount.
  // *mount (optional) receives the mount's index.
  bool HostToVirtual(const std::string& host_path, std::string* vpath, int* mount = nullptr) const;

  // A real, empty, read-only directory standing for the virtual directory
  // `vpath` (created on first use under the private scratch dir), opened
  // O_RDONLY. Returns the fd or -errno.
  int VirtualDirFd(const std::string& vpath) const;
  // If `host_path` is such a stand-in, the virtual directory it stands for.
  bool VirtualDirOfHost(const std::string& host_path, std::string* vpath) const;

  bool MountReadonly(int mount) const { return mounts_.at(mount).readonly; }
  // Mount table in sandbox order (index 0 is the root), for /proc/mounts.
  struct MountInfo {
    std::string destination, host_source;
    Mount::Kind kind;
    bool readonly;
  };
  std::vector<MountInfo> Mounts() const;
  // Names of mount points directly below a virtual directory (for listings
  // of virtual dirs such as /dev).
  std::vector<std::string> MountNamesUnder(const std::string& vdir) const;

 private:
  struct Entry {
    std::string destination;  // clean
    Mount::Kind kind;
    std::string host_source;  // canonical host path
    bool readonly;
    bool is_dir;
    UniqueFd fd;  // O_PATH
  };
  RootFs() = default;
  int MountAt(const std::string& vpath) const;  // index or -1
  // The common case in one or two host calls; 1 if it did not apply.
  int ResolveFast(const std::string& abs_path, bool follow_last, Resolved* out,
                  const Creds* searcher, bool need_parent, int open_flags) const;
  // One pass of it; 2 with *next = the path to go on with after a symlink.
  // `raw_path` may hold "//", "." and ".." (answered only where no symlink
  // lies on the way).
  int ResolveFastOnce(const std::string& raw_path, bool follow_last, Resolved* out,
                      const Creds* searcher, bool need_parent, int open_flags,
                      std::string* next) const;
  bool MakeMountPoint(const Entry& m, std::string* err);

  std::vector<Entry> mounts_;
  bool root_nodev_ = false;
  std::string scratch_dir_;  // private dir holding tmpfs dirs; removed at destruction
  std::string vdir_root_;    // scratch_dir_/v: stand-ins for virtual directories
};

// Removes the scratch dir a RootFs of process `pid` made on /dev/shm (for a
// creator cleaning up after a supervisor it had to kill).
void RemoveScratchOfProcess(pid_t pid);

}  // namespace litebox::rootfs
