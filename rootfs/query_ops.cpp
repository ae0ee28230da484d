// Ops that only look: kStat, kAccess, kReadlink, kStatfs, kFdPath, kGetdents.
#include <fcntl.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "rootfs/file_server.hpp"
#include "rootfs/host_fs.hpp"
#include "rootfs/virtual_fd.hpp"
#include "rootfs/vpath.hpp"

namespace litebox::rootfs {
namespace {

static_assert(sizeof(struct stat) == 144, "kStat replies the x86-64 kernel struct stat");
static_assert(sizeof(struct statfs) == 120, "kStatfs replies the x86-64 kernel struct statfs");

template <typename T>
std::string Bytes(const T& v) {
  return std::string(reinterpret_cast<const char*>(&v), sizeof(v));
}

constexpr int kSymlinkNofollow = 0x100;  // AT_SYMLINK_NOFOLLOW
constexpr int kEaccess = 0x200;          // AT_EACCESS

}  // namespace

FileServer::Reply FileServer::Stat(const ReceivedRequest& req, ProcessContext& ctx) {
  Resolved r;
  bool follow = !(req.hdr.arg[0] & kSymlinkNofollow);
  if (int e = ResolveArg(req, 0, ctx, follow, &r, false); e < 0) return Err(e);
  Reply out;
  switch (r.kind) {
    case Resolved::kMissing:
      return Err(-ENOENT);
    case Resolved::kHost:
      out.payload = Bytes(r.st);
      break;
    case Resolved::kVirtual:
      out.payload = Bytes(VirtualStat(r.vpath, r.node));
      break;
  }
  return out;
}

FileServer::Reply FileServer::Access(const ReceivedRequest& req, ProcessContext& ctx) {
  int mode = static_cast<int>(req.hdr.arg[0]);
  int flags = static_cast<int>(req.hdr.arg[1]);
  if (mode & ~7) return Err(-EINVAL);
  if (flags & ~(kEaccess | kSymlinkNofollow)) return Err(-EINVAL);
  Resolved r;
  if (int e = ResolveArg(req, 0, ctx, !(flags & kSymlinkNofollow), &r, false); e < 0) return Err(e);
  if (r.kind == Resolved::kMissing) return Err(-ENOENT);
  if (mode == 0) return Reply{};
  struct stat st = r.kind == Resolved::kHost ? r.st : VirtualStat(r.vpath, r.node);
  if ((mode & kMayWrite) && r.kind == Resolved::kHost && fs_.MountReadonly(r.mount) &&
      (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode)))
    return Err(-EROFS);
  Creds c = ctx.creds;
  if (!(flags & kEaccess)) {
    // access(2) asks with the real ids: a non-root real uid has no
    // capabilities for it, a root one its permitted set (as the kernel's
    // access_override_creds).
    c.fsuid = c.ruid;
    c.fsgid = c.rgid;
    c.cap_effective = c.ruid == 0 ? c.cap_permitted : 0;
  }
  if (!MayAccess(c, st, mode)) return Err(-EACCES);
  return Reply{};
}

FileServer::Reply FileServer::Readlink(const ReceivedRequest& req, ProcessContext& ctx) {
  Resolved r;
  if (int e = ResolveArg(req, 0, ctx, false, &r, false); e < 0) return Err(e);
  Reply out;
  if (r.kind == Resolved::kMissing) return Err(-ENOENT);
  if (r.kind == Resolved::kVirtual) {
    if (r.node.kind != VNode::kLink) return Err(-EINVAL);
    out.payload = r.node.content;
  } else {
    if (!S_ISLNK(r.st.st_mode)) return Err(-EINVAL);
    char buf[proto::kMaxPath + 1];
    ssize_t n = readlinkat(r.fd.get(), "", buf, sizeof(buf));
    if (n < 0) return Err(-errno);
    out.payload.assign(buf, static_cast<size_t>(n));
  }
  out.result = static_cast<int64_t>(out.payload.size());
  return out;
}

FileServer::Reply FileServer::Statfs(const ReceivedRequest& req, ProcessContext& ctx) {
  struct statfs sf = {};
  Reply out;
  if (req.str[0].empty() && !req.fds.empty()) {  // fstatfs
    if (fstatfs(req.fds[0].get(), &sf) != 0) return Err(-errno);
    struct stat st;
    int mount;
    if (GuestFdObject(req.fds[0].get(), &st, &mount) == 0 && fs_.MountReadonly(mount))
      sf.f_flags |= ST_RDONLY;
    out.payload = Bytes(sf);
    return out;
  }
  Resolved r;
  if (int e = ResolveArg(req, 0, ctx, true, &r, false); e < 0) return Err(e);
  if (r.kind == Resolved::kMissing) return Err(-ENOENT);
  if (r.kind == Resolved::kHost) {
    if (fstatfs(r.fd.get(), &sf) != 0) return Err(-errno);
    if (fs_.MountReadonly(r.mount)) sf.f_flags |= ST_RDONLY;
  } else {
    bool proc = PathIsUnder(r.vpath, "/proc");
    sf.f_type = proc ? 0x9fa0 : 0x01021994;  // PROC_SUPER_MAGIC, TMPFS_MAGIC
    sf.f_bsize = 4096;
    sf.f_frsize = 4096;
    sf.f_namelen = 255;
    sf.f_flags = ST_NOSUID | (proc ? ST_NODEV | ST_NOEXEC : 0);
  }
  out.payload = Bytes(sf);
  return out;
}

FileServer::Reply FileServer::FdPath(const ReceivedRequest& req, ProcessContext& ctx) {
  if (req.fds.empty()) return Err(-EBADF);
  Reply out;
  if (int e = FdToVirtual(req.fds[0].get(), &out.payload); e < 0) return Err(e);
  return out;
}

// A virtual directory is listed afresh on each call; the guest's offset in
// its stand-in directory fd is the index of the next record (so d_off,
// telldir and seekdir work), advanced by whole records as getdents64 does.
FileServer::Reply FileServer::VirtualGetdents(int fd, const std::string& vpath, size_t len,
                                              const ProcessContext& ctx) {
  Resolved r;
  auto lookup = [&](const std::string& p, VNode* n) { return tree_.Lookup(p, ctx, n); };
  if (int e = fs_.Resolve(vpath, false, lookup, &r); e < 0) return Err(e);
  if (r.kind != Resolved::kVirtual || r.node.kind != VNode::kDir) return Err(-ENOENT);
  off_t index = lseek(fd, 0, SEEK_CUR);
  if (index < 0) return Err(-errno);
  std::string all = DirentRecords(r.node.entries);
  size_t at = 0, skipped = 0;
  while (at < all.size() && skipped < static_cast<size_t>(index)) {
    uint16_t reclen;
    memcpy(&reclen, all.data() + at + 16, 2);
    at += reclen;
    ++skipped;
  }
  size_t start = at, taken = 0;
  while (at < all.size()) {
    uint16_t reclen;
    memcpy(&reclen, all.data() + at + 16, 2);
    if (at + reclen - start > len) break;
    at += reclen;
    ++taken;
  }
  if (taken == 0 && at < all.size()) return Err(-EINVAL);  // the next record does not fit
  if (lseek(fd, index + static_cast<off_t>(taken), SEEK_SET) < 0) return Err(-errno);
  Reply out;
  out.result = static_cast<int64_t>(at - start);
  out.payload = all.substr(start, at - start);
  return out;
}

FileServer::Reply FileServer::Getdents(const ReceivedRequest& req, ProcessContext& ctx) {
  if (req.fds.empty()) return Err(-EBADF);
  int64_t max = req.hdr.arg[0];
  if (max <= 0) return Err(-EINVAL);
  size_t len = static_cast<size_t>(std::min<int64_t>(max, kMaxPayload));
  int fd = req.fds[0].get();
  struct stat st;
  if (fstat(fd, &st) != 0) return Err(-EBADF);
  std::string target = ReadLink(AT_FDCWD, SelfFdPath(fd));
  if (!S_ISDIR(st.st_mode)) return Err(-ENOTDIR);
  if (std::string v; fs_.VirtualDirOfHost(target, &v)) return VirtualGetdents(fd, v, len, ctx);
  std::string vpath;
  if (target.empty() || target[0] != '/' || !fs_.HostToVirtual(target, &vpath))
    return Err(-EBADF);  // a directory outside the sandbox
  auto buf = std::make_unique<char[]>(len);
  long n = syscall(SYS_getdents64, fd, buf.get(), len);
  if (n < 0) return Err(-errno);
  Reply out;
  out.result = n;
  out.payload.assign(buf.get(), static_cast<size_t>(n));
  return out;
}

}  // namespace litebox::rootfs
