// Ops that add or remove directory entries: kMkdir, kMknod, kUnlink,
// kRename, kLink, kSymlink. Each acts on (parent O_PATH fd, one name), so
// the kernel never resolves a guest path here.
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>

#include "rootfs/file_server.hpp"
#include "rootfs/host_fs.hpp"

namespace litebox::rootfs {
namespace {

// "x/." and "x/.." cannot be created, removed or renamed.
int LastComponentDots(const std::string& path) {
  std::string_view p = path;
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  size_t slash = p.rfind('/');
  std::string_view last = slash == std::string_view::npos ? p : p.substr(slash + 1);
  if (last == ".") return -EINVAL;
  if (last == "..") return -ENOTEMPTY;
  return 0;
}

}  // namespace

FileServer::Reply FileServer::Mkdir(const ReceivedRequest& req, ProcessContext& ctx) {
  Resolved r;
  if (int e = ResolveArg(req, 0, ctx, false, &r); e < 0) return Err(e);
  if (r.kind != Resolved::kMissing) return Err(-EEXIST);
  struct stat parent;
  if (int e = CheckParentWritable(r, ctx, &parent); e < 0) return Err(e);
  if (mkdirat(r.parent.get(), r.name.c_str(), static_cast<mode_t>(req.hdr.arg[0]) & 07777) != 0)
    return Err(-errno);
  if (int e = SetNewOwner(r.parent.get(), r.name, parent, ctx); e < 0) {
    unlinkat(r.parent.get(), r.name.c_str(), AT_REMOVEDIR);
    return Err(e);
  }
  return Reply{};
}

FileServer::Reply FileServer::Mknod(const ReceivedRequest& req, ProcessContext& ctx) {
  mode_t mode = static_cast<mode_t>(req.hdr.arg[0]);
  mode_t type = mode & S_IFMT;
  if (type == 0) type = S_IFREG;
  // Device nodes would reach host devices: never, whatever the caps.
  if (type != S_IFREG && type != S_IFIFO && type != S_IFSOCK) return Err(-EPERM);
  Resolved r;
  if (int e = ResolveArg(req, 0, ctx, false, &r); e < 0) return Err(e);
  if (r.kind != Resolved::kMissing) return Err(-EEXIST);
  if (r.dir_only) return Err(-ENOENT);
  struct stat parent;
  if (int e = CheckParentWritable(r, ctx, &parent); e < 0) return Err(e);
  if (mknodat(r.parent.get(), r.name.c_str(), type | (mode & 07777), 0) != 0) return Err(-errno);
  if (int e = SetNewOwner(r.parent.get(), r.name, parent, ctx); e < 0) {
    unlinkat(r.parent.get(), r.name.c_str(), 0);
    return Err(e);
  }
  return Reply{};
}

FileServer::Reply FileServer::Unlink(const ReceivedRequest& req, ProcessContext& ctx) {
  int flags = static_cast<int>(req.hdr.arg[0]);
  if (flags & ~AT_REMOVEDIR) return Err(-EINVAL);
  if (flags & AT_REMOVEDIR) {
    if (int e = LastComponentDots(req.str[0]); e < 0) return Err(e);
  }
  Resolved r;
  if (int e = ResolveArg(req, 0, ctx, false, &r); e < 0) return Err(e);
  if (r.kind == Resolved::kMissing) return Err(-ENOENT);
  if (r.kind == Resolved::kVirtual) return Err(-EACCES);
  if (r.mount_root) return Err(-EBUSY);
  struct stat parent;
  if (int e = CheckParentWritable(r, ctx, &parent); e < 0) return Err(e);
  if (!MayDeleteFromSticky(ctx.creds, parent, r.st)) return Err(-EPERM);
  if (unlinkat(r.parent.get(), r.name.c_str(), flags & AT_REMOVEDIR) != 0) return Err(-errno);
  return Reply{};
}

FileServer::Reply FileServer::Rename(const ReceivedRequest& req, ProcessContext& ctx) {
  unsigned flags = static_cast<unsigned>(req.hdr.arg[0]);
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) return Err(-EINVAL);  // no WHITEOUT
  for (int i = 0; i < 2; ++i) {
    if (int e = LastComponentDots(req.str[i]); e < 0) return Err(-EBUSY);
  }
  Resolved from, to;
  if (int e = ResolveArg(req, 0, ctx, false, &from); e < 0) return Err(e);
  if (int e = ResolveArg(req, 1, ctx, false, &to); e < 0) return Err(e);
  if (from.kind == Resolved::kMissing) return Err(-ENOENT);
  if (from.kind == Resolved::kVirtual || to.kind == Resolved::kVirtual) return Err(-EXDEV);
  if (from.mount_root || (to.kind == Resolved::kHost && to.mount_root)) return Err(-EBUSY);
  if (from.mount != to.mount) return Err(-EXDEV);
  if (to.kind == Resolved::kMissing && to.dir_only && !S_ISDIR(from.st.st_mode))
    return Err(-ENOTDIR);
  struct stat from_parent, to_parent;
  if (int e = CheckParentWritable(from, ctx, &from_parent); e < 0) return Err(e);
  if (int e = CheckParentWritable(to, ctx, &to_parent); e < 0) return Err(e);
  if (!MayDeleteFromSticky(ctx.creds, from_parent, from.st)) return Err(-EPERM);
  if (to.kind == Resolved::kHost && !MayDeleteFromSticky(ctx.creds, to_parent, to.st))
    return Err(-EPERM);
  // Moving a directory to another parent rewrites its "..".
  if (S_ISDIR(from.st.st_mode) && from_parent.st_ino != to_parent.st_ino &&
      !MayAccess(ctx.creds, from.st, kMayWrite))
    return Err(-EACCES);
  if (renameat2(from.parent.get(), from.name.c_str(), to.parent.get(), to.name.c_str(), flags) != 0)
    return Err(-errno);
  return Reply{};
}

FileServer::Reply FileServer::Link(const ReceivedRequest& req, ProcessContext& ctx) {
  int flags = static_cast<int>(req.hdr.arg[0]);
  if (flags & ~AT_SYMLINK_FOLLOW) return Err(-EINVAL);
  Resolved from, to;
  if (int e = ResolveArg(req, 0, ctx, flags & AT_SYMLINK_FOLLOW, &from); e < 0) return Err(e);
  if (from.kind == Resolved::kMissing) return Err(-ENOENT);
  if (from.kind == Resolved::kVirtual) return Err(-EXDEV);
  if (int e = ResolveArg(req, 1, ctx, false, &to); e < 0) return Err(e);
  if (to.kind != Resolved::kMissing) return Err(-EEXIST);
  if (to.dir_only) return Err(-ENOENT);
  if (from.mount != to.mount) return Err(-EXDEV);
  if (S_ISDIR(from.st.st_mode)) return Err(-EPERM);
  struct stat parent;
  if (int e = CheckParentWritable(to, ctx, &parent); e < 0) return Err(e);
  // fs.protected_hardlinks: only owners (or CAP_FOWNER) link files they
  // could not read and write, and never setuid/setgid-exec files.
  const struct stat& st = from.st;
  if (!ctx.creds.OwnsOrFowner(st)) {
    bool special = !S_ISREG(st.st_mode) || (st.st_mode & S_ISUID) ||
                   ((st.st_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP));
    if (special || !MayAccess(ctx.creds, st, kMayRead | kMayWrite)) return Err(-EPERM);
  }
  // Links exactly the inode resolved above (the symlink itself when not
  // following), without CAP_DAC_READ_SEARCH (which AT_EMPTY_PATH needs).
  if (linkat(AT_FDCWD, SelfFdPath(from.fd.get()).c_str(), to.parent.get(), to.name.c_str(),
             AT_SYMLINK_FOLLOW) != 0)
    return Err(-errno);
  return Reply{};
}

FileServer::Reply FileServer::Symlink(const ReceivedRequest& req, ProcessContext& ctx) {
  const std::string& target = req.str[0];
  if (target.empty()) return Err(-ENOENT);
  Resolved r;
  if (int e = ResolveArg(req, 1, ctx, false, &r); e < 0) return Err(e);
  if (r.kind != Resolved::kMissing) return Err(-EEXIST);
  if (r.dir_only) return Err(-ENOENT);
  struct stat parent;
  if (int e = CheckParentWritable(r, ctx, &parent); e < 0) return Err(e);
  if (symlinkat(target.c_str(), r.parent.get(), r.name.c_str()) != 0) return Err(-errno);
  if (int e = SetNewOwner(r.parent.get(), r.name, parent, ctx); e < 0) {
    unlinkat(r.parent.get(), r.name.c_str(), 0);
    return Err(e);
  }
  return Reply{};
}

}  // namespace litebox::rootfs
