// kOpen and kChdir.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "rootfs/file_server.hpp"
#include "rootfs/host_fs.hpp"
#include "rootfs/virtual_fd.hpp"

namespace litebox::rootfs {
namespace {

constexpr int kTmpfileBit = O_TMPFILE & ~O_DIRECTORY;

int AccessMask(int flags) {
  int acc = flags & O_ACCMODE;
  int mask = acc == O_RDONLY ? kMayRead : acc == O_WRONLY ? kMayWrite : kMayRead | kMayWrite;
  if (flags & O_TRUNC) mask |= kMayWrite;
  return mask;
}

bool IsReopenableKind(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return false;
  if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISSOCK(st.st_mode)) return true;
  return S_ISREG(st.st_mode) && ReadLink(AT_FDCWD, SelfFdPath(fd)).rfind("/memfd:", 0) == 0;
}

}  // namespace

FileServer::Reply FileServer::Open(const ReceivedRequest& req, ProcessContext& ctx) {
  int flags = static_cast<int>(req.hdr.arg[0]);
  mode_t mode = static_cast<mode_t>(req.hdr.arg[1]) & 07777;
  bool exec = req.hdr.arg[2] == proto::kOpenForExec || req.hdr.arg[2] == proto::kOpenForExecMain ||
              req.hdr.arg[2] == proto::kOpenForExecListFds;
  if (exec) flags = O_RDONLY;
  if ((flags & O_ACCMODE) == O_ACCMODE) return Err(-EINVAL);
  bool tmpfile = (flags & kTmpfileBit) != 0;
  bool creat = (flags & O_CREAT) && !tmpfile;
  if (tmpfile && ((flags & O_CREAT) || (flags & O_ACCMODE) == O_RDONLY)) return Err(-EINVAL);
  if (creat && (flags & O_DIRECTORY)) return Err(-EINVAL);  // as Linux >= 6.4
  bool follow = !(flags & O_NOFOLLOW) && !(creat && (flags & O_EXCL));

  // A plain read-only open of what exists may be opened for real during
  // the resolution (RootFs::Resolve, open_flags); so may an image to exec
  // (flags is O_RDONLY then): where the guest may not read it (execute
  // permission only), that open fails and the O_PATH route reopens it.
  constexpr int kNotPlain = O_CREAT | O_TRUNC | O_PATH | kTmpfileBit | O_ACCMODE;
  const int open_flags =
      (flags & kNotPlain) ? -1 : flags & ~(O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_EXCL);
  Resolved r;
  // A create needs the parent of a missing leaf (RootFs::Resolve).
  if (int e = ResolveArg(req, 0, ctx, follow, &r, creat, open_flags); e < 0) return Err(e);
  int mask = AccessMask(flags);
  Reply out;
  out.payload = r.vpath;

  if (r.kind == Resolved::kMissing) {
    if (!creat) return Err(-ENOENT);
    if (r.dir_only) return Err(-EISDIR);
    struct stat parent;
    if (int e = CheckParentWritable(r, ctx, &parent); e < 0) return Err(e);
    int oflags =
        (flags & ~(O_NOFOLLOW | O_PATH)) | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY;
    UniqueFd fd(openat(r.parent.get(), r.name.c_str(), oflags, mode));
    if (!fd) return Err(-errno);
    if (int e = SetNewOwner(r.parent.get(), r.name, parent, ctx); e < 0) {
      unlinkat(r.parent.get(), r.name.c_str(), 0);
      return Err(e);
    }
    out.fd = std::move(fd);
    return out;
  }
  if (creat && (flags & O_EXCL)) return Err(-EEXIST);
  if (r.kind == Resolved::kVirtual) {
    if (tmpfile) return Err(-EOPNOTSUPP);
    Reply v = OpenVirtual(r, flags, exec);
    if (v.result == 0) v.payload = r.vpath;
    return v;
  }

  const struct stat& st = r.st;
  if (S_ISLNK(st.st_mode)) {
    if (!(flags & O_PATH)) return Err(-ELOOP);  // O_NOFOLLOW on a symlink
    out.fd = std::move(r.fd);
    return out;
  }
  if ((flags & O_DIRECTORY) && !S_ISDIR(st.st_mode)) return Err(-ENOTDIR);
  if (exec) {
    if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111) || !MayAccess(ctx.creds, st, kMayExec))
      return Err(-EACCES);
    // Execute permission alone suffices (as execve): the libOS maps the
    // image from this read-only fd.
    if (r.opened) {
      fcntl(r.fd.get(), F_SETFL, 0);  // Resolve opened it O_NONBLOCK
      out.fd = std::move(r.fd);
      return out;
    }
    int fd = Reopen(r.fd.get(), O_RDONLY);
    if (fd < 0) return Err(fd);
    out.fd.reset(fd);
    return out;
  }
  if (flags & O_PATH) {
    out.fd = std::move(r.fd);  // already O_PATH, no access to check
    return out;
  }
  if (tmpfile) {
    if (!S_ISDIR(st.st_mode)) return Err(-ENOTDIR);
    if (fs_.MountReadonly(r.mount)) return Err(-EROFS);
    if (!MayAccess(ctx.creds, st, kMayWrite | kMayExec)) return Err(-EACCES);
    UniqueFd fd(open(SelfFdPath(r.fd.get()).c_str(), flags | O_CLOEXEC, mode));
    if (!fd) return Err(-errno);
    gid_t gid = (st.st_mode & S_ISGID) ? st.st_gid : ctx.creds.fsgid;
    if (fchown(fd.get(), ctx.creds.fsuid, gid) != 0) return Err(-errno);
    out.fd = std::move(fd);
    return out;
  }
  // The rootfs is mounted nodev for the guest: a device node in an image
  // must not open the host's device.
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) return Err(-EACCES);
  if (S_ISSOCK(st.st_mode)) return Err(-ENXIO);
  if (S_ISDIR(st.st_mode) && (mask & kMayWrite)) return Err(-EISDIR);
  if ((mask & kMayWrite) && fs_.MountReadonly(r.mount)) return Err(-EROFS);
  if (!MayAccess(ctx.creds, st, mask)) return Err(-EACCES);
  if ((flags & O_NOATIME) && !ctx.creds.OwnsOrFowner(st)) return Err(-EPERM);
  if (r.opened) {
    if (!(flags & O_NONBLOCK)) fcntl(r.fd.get(), F_SETFL, flags & ~O_NONBLOCK & 07777777);
    out.fd = std::move(r.fd);
    return out;
  }

  int oflags = flags;
  bool fifo_unblock = false;
  if (S_ISFIFO(st.st_mode) && !(flags & O_NONBLOCK)) {
    // Never block the supervisor waiting for the other end: open
    // non-blocking (a writer with no reader gets ENXIO) and switch back.
    oflags |= O_NONBLOCK;
    fifo_unblock = true;
  }
  int fd = Reopen(r.fd.get(), oflags);
  if (fd < 0) {
    Reply e = Err(fd);
    if (fifo_unblock && fd == -ENXIO) e.aux0 = proto::kFdFifo;  // no reader yet
    return e;
  }
  out.fd.reset(fd);
  if (fifo_unblock) {
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    out.aux0 = proto::kFdFifo;
  }
  return out;
}

FileServer::Reply FileServer::OpenVirtual(const Resolved& r, int flags, bool exec) {
  const VNode& n = r.node;
  int mask = AccessMask(flags);
  Reply out;
  if (exec) return Err(-EACCES);
  switch (n.kind) {
    case VNode::kLink:
      return Err(-ELOOP);  // reached only with O_NOFOLLOW
    case VNode::kDir: {
      if (mask & kMayWrite) return Err(-EISDIR);
      int fd = fs_.VirtualDirFd(r.vpath);
      if (fd < 0) return Err(fd);
      out.fd.reset(fd);
      out.aux0 = proto::kFdVirtualDir;
      return out;
    }
    case VNode::kFile: {
      if (flags & O_DIRECTORY) return Err(-ENOTDIR);
      if ((mask & kMayWrite) && !n.write_host_path.empty()) {
        // Our own comm: the kernel's file, so that the write renames the
        // writing process's thread (and no other process's: comm_write).
        int fd = open(n.write_host_path.c_str(),
                      (flags & O_ACCMODE) | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
        if (fd < 0) return Err(-errno);
        out.fd.reset(fd);
        out.aux0 = proto::kFdHost;
        return out;
      }
      if (mask & kMayWrite) return Err(-EACCES);
      int fd = MakeSealedMemfd(r.vpath, n.content);
      if (fd < 0) return Err(fd);
      out.fd.reset(fd);
      out.aux0 = proto::kFdVirtualFile;
      return out;
    }
    case VNode::kDevice: {
      if (flags & O_DIRECTORY) return Err(-ENOTDIR);
      if (n.host_path.empty()) return Err(-ENXIO);
      int oflags = flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW | O_DIRECTORY | O_PATH | O_TRUNC);
      int fd = open(n.host_path.c_str(), oflags | O_CLOEXEC | O_NOCTTY);
      if (fd < 0) return Err(-errno);
      out.fd.reset(fd);
      // /proc/<pid>/fd/N may have been dup2'd over since the lookup: only
      // ever reopen a guest's pipe, socket, terminal or memfd, never a
      // host file (which could widen its access mode).
      if (!IsReopenableKind(fd)) return Err(-ENOENT);
      out.aux0 = proto::kFdHost;
      return out;
    }
  }
  return Err(-EINVAL);
}

FileServer::Reply FileServer::Chdir(const ReceivedRequest& req, ProcessContext& ctx) {
  Resolved r;
  if (int e = ResolveArg(req, 0, ctx, true, &r, false); e < 0) return Err(e);
  if (r.kind == Resolved::kMissing) return Err(-ENOENT);
  if (r.kind == Resolved::kVirtual) {
    if (r.node.kind != VNode::kDir) return Err(-ENOTDIR);
  } else {
    if (!S_ISDIR(r.st.st_mode)) return Err(-ENOTDIR);
    if (!MayAccess(ctx.creds, r.st, kMayExec)) return Err(-EACCES);
  }
  ctx.cwd = r.vpath;
  Reply out;
  out.payload = r.vpath;
  return out;
}

}  // namespace litebox::rootfs
