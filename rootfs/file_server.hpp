// Serves the file ops of the libOS protocol (proto::kOpen .. kFchown) for
// one sandbox. Every request is resolved inside the sandbox's RootFs and
// checked against the calling process's virtual credentials.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "rootfs/lookup_cache.hpp"
#include "rootfs/message.hpp"
#include "rootfs/process.hpp"
#include "rootfs/rootfs.hpp"
#include "rootfs/virtual_tree.hpp"

namespace litebox::rootfs {

class FileServer {
 public:
  FileServer(RootFs& root, ProcInfo& procs) : fs_(root), procs_(procs), tree_(root, procs) {}

  // The sandbox's lookup caches, kept by Serve from now on (null: none).
  void SetLookupCaches(LookupCaches* caches) { cache_ = caches; }
  // Tells the cache a name at virtual path `abs` (not followed if it is a
  // symlink) changed by other means than a file op (a socket bound there).
  void NameChanged(const std::string& abs, const ProcessContext& ctx);

  // Handles ops 10..33; returns false (and sends nothing) for any other op.
  // Sends exactly one response for a file op.
  bool Handle(const ReceivedRequest& req, ProcessContext& ctx, int channel);

  // The answer to a file op (ops 10..33), for a caller that sends it itself
  // (the shared page). result -EPROTO for any other op.
  struct Reply {
    int64_t result = 0;
    int64_t aux0 = 0;
    std::string payload;
    UniqueFd fd;
  };
  Reply Serve(const ReceivedRequest& req, ProcessContext& ctx);

  // Canonical virtual path of what `path` names for `ctx` (relative to its
  // cwd, symlinks followed, "/proc/self/exe" resolved), or `path` itself if
  // it does not resolve. For kExecDone: the libOS reports the path it was
  // asked to exec, and /proc/<pid>/exe must not point at "/proc/self/exe"
  // or a relative name. Call it before updating the process's exe.
  std::string CanonicalPath(const std::string& path, const ProcessContext& ctx);

  // The sandbox's name for an fd the supervisor holds or received (kFdPath):
  // 0, or -EBADF if it names nothing inside the sandbox.
  int FdToVirtual(int fd, std::string* vpath) const;

 private:
  static Reply Err(int negative_errno) {
    Reply r;
    r.result = negative_errno;
    return r;
  }

  // Absolute virtual path of request string i (relative ones against the
  // attached dir fd or the cwd). 0 or -errno.
  int PathArg(const ReceivedRequest& req, int i, const ProcessContext& ctx, std::string* abs) const;
  int DirFdBase(int fd, const ProcessContext& ctx, std::string* vpath);
  // need_parent: see RootFs::Resolve (false where out->parent of an
  // existing object is never used).
  int ResolveArg(const ReceivedRequest& req, int i, const ProcessContext& ctx, bool follow,
                 Resolved* out, bool need_parent = true, int open_flags = -1);
  // Checks shared by every op that adds or removes a directory entry.
  int CheckParentWritable(const Resolved& r, const ProcessContext& ctx, struct stat* parent_st);
  // Makes a new entry belong to the caller's fsuid/fsgid (or the parent's
  // group if the parent is setgid).
  static int SetNewOwner(int dirfd, const std::string& name, const struct stat& parent,
                         const ProcessContext& ctx);

  Reply Open(const ReceivedRequest& req, ProcessContext& ctx);
  Reply OpenVirtual(const Resolved& r, int flags, bool exec);
  Reply Stat(const ReceivedRequest& req, ProcessContext& ctx);
  Reply Access(const ReceivedRequest& req, ProcessContext& ctx);
  Reply Readlink(const ReceivedRequest& req, ProcessContext& ctx);
  Reply Mkdir(const ReceivedRequest& req, ProcessContext& ctx);
  Reply Mknod(const ReceivedRequest& req, ProcessContext& ctx);
  Reply Unlink(const ReceivedRequest& req, ProcessContext& ctx);
  Reply Rename(const ReceivedRequest& req, ProcessContext& ctx);
  Reply Link(const ReceivedRequest& req, ProcessContext& ctx);
  Reply Symlink(const ReceivedRequest& req, ProcessContext& ctx);
  Reply Chmod(const ReceivedRequest& req, ProcessContext& ctx);
  Reply Chown(const ReceivedRequest& req, ProcessContext& ctx);
  Reply Utimens(const ReceivedRequest& req, ProcessContext& ctx);
  Reply Truncate(const ReceivedRequest& req, ProcessContext& ctx);
  Reply Statfs(const ReceivedRequest& req, ProcessContext& ctx);
  Reply Chdir(const ReceivedRequest& req, ProcessContext& ctx);
  Reply FdPath(const ReceivedRequest& req, ProcessContext& ctx);
  Reply Getdents(const ReceivedRequest& req, ProcessContext& ctx);
  Reply VirtualGetdents(int fd, const std::string& vpath, size_t len, const ProcessContext& ctx);
  Reply Fchmod(const ReceivedRequest& req, ProcessContext& ctx);
  Reply Fchown(const ReceivedRequest& req, ProcessContext& ctx);

  // chmod/chown rules on a host object (`path_fd` O_PATH or any fd).
  int DoChmod(int fd, const struct stat& st, int mount, uint32_t mode, const ProcessContext& ctx);
  int DoChown(int fd, const struct stat& st, int mount, uint32_t uid, uint32_t gid,
              const ProcessContext& ctx);
  // Host object behind a guest-sent fd: its stat and mount, or -errno.
  int GuestFdObject(int fd, struct stat* st, int* mount) const;

  // The canonical paths whose names (or attributes) request `req` may
  // change, for the lookup cache, each with whether only that path's own
  // entries are touched; empty for an op that changes none.
  std::vector<std::pair<std::string, bool>> ChangedPaths(const ReceivedRequest& req,
                                                         const ProcessContext& ctx);
  // Canonical path of the entry `abs` names: its parent resolved, its last
  // component kept as it is (a symlink is the link, not its target).
  std::string EntryPath(const std::string& abs, const ProcessContext& ctx);

  RootFs& fs_;
  ProcInfo& procs_;
  VirtualTree tree_;
  LookupCaches* cache_ = nullptr;
  // Resolved::plain_path and plain_up of the last ResolveArg (Serve clears
  // them).
  std::string last_plain_;
  std::vector<std::string> last_up_;
};

}  // namespace litebox::rootfs
