// Ops that change an inode's attributes: kChmod, kChown, kUtimens,
// kTruncate, kFchmod, kFchown. The kernel would let the (root) supervisor
// do all of them, so the owner/capability rules are applied here.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "rootfs/file_server.hpp"
#include "rootfs/host_fs.hpp"

namespace litebox::rootfs {
namespace {

constexpr int kSymlinkNofollow = 0x100;

bool ValidNsec(int64_t nsec) {
  return (nsec >= 0 && nsec < 1000000000) || nsec == UTIME_NOW || nsec == UTIME_OMIT;
}

}  // namespace

int FileServer::DoChmod(int fd, const struct stat& st, int mount, uint32_t mode,
                        const ProcessContext& ctx) {
  if (S_ISLNK(st.st_mode)) return -EOPNOTSUPP;
  if (!ctx.creds.OwnsOrFowner(st)) return -EPERM;
  if (fs_.MountReadonly(mount)) return -EROFS;
  mode &= 07777;
  // Like the kernel: setgid is dropped if the caller is not in the file's
  // group and lacks CAP_FSETID.
  if (!S_ISDIR(st.st_mode) && !ctx.creds.InGroup(st.st_gid) && !ctx.creds.HasCap(kCapFsetid))
    mode &= ~S_ISGID;
  if (fchmodat(AT_FDCWD, SelfFdPath(fd).c_str(), mode, 0) != 0) return -errno;
  return 0;
}

int FileServer::DoChown(int fd, const struct stat& st, int mount, uint32_t uid, uint32_t gid,
                        const ProcessContext& ctx) {
  const Creds& c = ctx.creds;
  constexpr uint32_t kKeep = static_cast<uint32_t>(-1);
  bool cap = c.HasCap(kCapChown);
  bool owner = st.st_uid == c.fsuid;
  if (uid != kKeep && !cap && !(owner && uid == st.st_uid)) return -EPERM;
  if (gid != kKeep && !cap && !(owner && (gid == st.st_gid || c.InGroup(gid)))) return -EPERM;
  if (fs_.MountReadonly(mount)) return -EROFS;
  if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) return -errno;
  return 0;
}

FileServer::Reply FileServer::Chmod(const ReceivedRequest& req, ProcessContext& ctx) {
  Resolved r;
  bool follow = !(req.hdr.arg[1] & kSymlinkNofollow);
  if (int e = ResolveArg(req, 0, ctx, follow, &r, false); e < 0) return Err(e);
  if (r.kind == Resolved::kMissing) return Err(-ENOENT);
  if (r.kind == Resolved::kVirtual) return Err(-EPERM);
  return Err(DoChmod(r.fd.get(), r.st, r.mount, static_cast<uint32_t>(req.hdr.arg[0]), ctx));
}

FileServer::Reply FileServer::Chown(const ReceivedRequest& req, ProcessContext& ctx) {
  Resolved r;
  bool follow = !(req.hdr.arg[2] & kSymlinkNofollow);
  if (int e = ResolveArg(req, 0, ctx, follow, &r, false); e < 0) return Err(e);
  if (r.kind == Resolved::kMissing) return Err(-ENOENT);
  if (r.kind == Resolved::kVirtual) return Err(-EPERM);
  return Err(DoChown(r.fd.get(), r.st, r.mount, static_cast<uint32_t>(req.hdr.arg[0]),
                     static_cast<uint32_t>(req.hdr.arg[1]), ctx));
}

FileServer::Reply FileServer::Fchmod(const ReceivedRequest& req, ProcessContext& ctx) {
  if (req.fds.empty()) return Err(-EBADF);
  struct stat st;
  int mount;
  if (int e = GuestFdObject(req.fds[0].get(), &st, &mount); e < 0) return Err(e);
  return Err(DoChmod(req.fds[0].get(), st, mount, static_cast<uint32_t>(req.hdr.arg[0]), ctx));
}

FileServer::Reply FileServer::Fchown(const ReceivedRequest& req, ProcessContext& ctx) {
  if (req.fds.empty()) return Err(-EBADF);
  struct stat st;
  int mount;
  if (int e = GuestFdObject(req.fds[0].get(), &st, &mount); e < 0) return Err(e);
  return Err(DoChown(req.fds[0].get(), st, mount, static_cast<uint32_t>(req.hdr.arg[0]),
                     static_cast<uint32_t>(req.hdr.arg[1]), ctx));
}

FileServer::Reply FileServer::Utimens(const ReceivedRequest& req, ProcessContext& ctx) {
  int flags = static_cast<int>(req.hdr.arg[0]);
  if (flags & ~kSymlinkNofollow) return Err(-EINVAL);
  struct timespec ts[2] = {{req.hdr.arg[1], req.hdr.arg[2]}, {req.hdr.arg[3], req.hdr.arg[4]}};
  if (!ValidNsec(ts[0].tv_nsec) || !ValidNsec(ts[1].tv_nsec)) return Err(-EINVAL);
  int fd;
  struct stat st;
  int mount;
  Resolved r;
  if (req.str[0].empty() && !req.fds.empty()) {  // futimens
    fd = req.fds[0].get();
    if (int e = GuestFdObject(fd, &st, &mount); e < 0) return Err(e);
  } else {
    if (int e = ResolveArg(req, 0, ctx, !(flags & kSymlinkNofollow), &r, false); e < 0)
      return Err(e);
    if (r.kind == Resolved::kMissing) return Err(-ENOENT);
    if (r.kind == Resolved::kVirtual) return Err(-EPERM);
    fd = r.fd.get();
    st = r.st;
    mount = r.mount;
  }
  if (ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT) return Reply{};
  if (fs_.MountReadonly(mount)) return Err(-EROFS);
  bool only_now = (ts[0].tv_nsec == UTIME_NOW || ts[0].tv_nsec == UTIME_OMIT) &&
                  (ts[1].tv_nsec == UTIME_NOW || ts[1].tv_nsec == UTIME_OMIT);
  if (!ctx.creds.OwnsOrFowner(st)) {
    // Setting "now" needs write access; explicit times need ownership.
    if (!only_now) return Err(-EPERM);
    if (!MayAccess(ctx.creds, st, kMayWrite)) return Err(-EACCES);
  }
  if (utimensat(fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) return Err(-errno);
  return Reply{};
}

FileServer::Reply FileServer::Truncate(const ReceivedRequest& req, ProcessContext& ctx) {
  int64_t length = req.hdr.arg[0];
  if (length < 0) return Err(-EINVAL);
  Resolved r;
  if (int e = ResolveArg(req, 0, ctx, true, &r, false); e < 0) return Err(e);
  if (r.kind == Resolved::kMissing) return Err(-ENOENT);
  if (r.kind == Resolved::kVirtual) return Err(-EACCES);
  if (S_ISDIR(r.st.st_mode)) return Err(-EISDIR);
  if (!S_ISREG(r.st.st_mode)) return Err(-EINVAL);
  if (fs_.MountReadonly(r.mount)) return Err(-EROFS);
  if (!MayAccess(ctx.creds, r.st, kMayWrite)) return Err(-EACCES);
  int fd = Reopen(r.fd.get(), O_WRONLY);
  if (fd < 0) return Err(fd);
  UniqueFd owned(fd);
  if (ftruncate(fd, length) != 0) return Err(-errno);
  return Reply{};
}

}  // namespace litebox::rootfs
