// Dispatch, path arguments and the helpers shared by the file ops.
#include "rootfs/file_server.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

#include "rootfs/host_fs.hpp"
#include "rootfs/virtual_fd.hpp"

namespace litebox::rootfs {

bool FileServer::Handle(const ReceivedRequest& req, ProcessContext& ctx, int channel) {
  if (req.hdr.op < proto::kOpen || req.hdr.op > proto::kFchown) return false;
  Reply r = Serve(req, ctx);
  SendResponse(channel, req.hdr.op, r.result, r.aux0, r.payload, r.fd.get());
  return true;
}

FileServer::Reply FileServer::Serve(const ReceivedRequest& req, ProcessContext& ctx) {
  last_plain_.clear();
  last_up_.clear();
  // Entries a change makes stale go before it is made: a guest that sees
  // the change some other way (fstat of a directory fd) must not then get
  // the old answer from the cache.
  if (cache_ && !cache_->empty())
    for (const auto& [q, exact] : ChangedPaths(req, ctx))
      exact ? cache_->ChangedExactly(q) : cache_->Changed(q);
  Reply r;
  switch (req.hdr.op) {
    case proto::kOpen:
      r = Open(req, ctx);
      break;
    case proto::kStat:
      r = Stat(req, ctx);
      break;
    case proto::kAccess:
      r = Access(req, ctx);
      break;
    case proto::kReadlink:
      r = Readlink(req, ctx);
      break;
    case proto::kMkdir:
      r = Mkdir(req, ctx);
      break;
    case proto::kMknod:
      r = Mknod(req, ctx);
      break;
    case proto::kUnlink:
      r = Unlink(req, ctx);
      break;
    case proto::kRename:
      r = Rename(req, ctx);
      break;
    case proto::kLink:
      r = Link(req, ctx);
      break;
    case proto::kSymlink:
      r = Symlink(req, ctx);
      break;
    case proto::kChmod:
      r = Chmod(req, ctx);
      break;
    case proto::kChown:
      r = Chown(req, ctx);
      break;
    case proto::kUtimens:
      r = Utimens(req, ctx);
      break;
    case proto::kTruncate:
      r = Truncate(req, ctx);
      break;
    case proto::kStatfs:
      r = Statfs(req, ctx);
      break;
    case proto::kChdir:
      r = Chdir(req, ctx);
      break;
    case proto::kFdPath:
      r = FdPath(req, ctx);
      break;
    case proto::kGetdents:
      r = Getdents(req, ctx);
      break;
    case proto::kFchmod:
      r = Fchmod(req, ctx);
      break;
    case proto::kFchown:
      r = Fchown(req, ctx);
      break;
    default:
      return Err(-EPROTO);
  }
  if (r.payload.size() > kMaxPayload) r = Err(-EOVERFLOW);
  if (cache_) {
    // A create through a dangling symlink made the link's target, which
    // only the answer names (its canonical path).
    if (req.hdr.op == proto::kOpen && (req.hdr.arg[0] & O_CREAT) && r.result >= 0)
      cache_->Changed(r.payload);
    if (req.hdr.dirfd_slot[0] < 0 && !last_plain_.empty())
      cache_->Offer(req.hdr.op, req.hdr.arg, cache_->TagOf(ctx.creds), req.str[0], r.result,
                    r.payload, last_plain_, last_up_);
  }
  return r;
}

std::string FileServer::EntryPath(const std::string& abs, const ProcessContext& ctx) {
  std::string_view p = abs;
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  size_t slash = p.rfind('/');
  std::string_view leaf = p.substr(slash + 1);
  if (leaf.empty() || leaf == "." || leaf == "..") return CanonicalPath(std::string(p), ctx);
  std::string parent = slash == 0 ? "/" : CanonicalPath(std::string(p.substr(0, slash)), ctx);
  return (parent == "/" ? "" : parent) + "/" + std::string(leaf);
}

std::vector<std::pair<std::string, bool>> FileServer::ChangedPaths(const ReceivedRequest& req,
                                                                   const ProcessContext& ctx) {
  std::vector<std::pair<std::string, bool>> out;
  auto entry = [&](int i) {
    std::string abs;
    if (PathArg(req, i, ctx, &abs) == 0) out.emplace_back(EntryPath(abs, ctx), false);
  };
  // Ops that follow a final symlink change its target as well.
  auto entry_and_target = [&](int i) {
    std::string abs;
    if (PathArg(req, i, ctx, &abs) != 0) return;
    out.emplace_back(EntryPath(abs, ctx), false);
    out.emplace_back(CanonicalPath(abs, ctx), false);
  };
  auto by_fd = [&](bool exact) {
    std::string v;
    if (!req.fds.empty() && FdToVirtual(req.fds[0].get(), &v) == 0) out.emplace_back(v, exact);
  };
  switch (req.hdr.op) {
    case proto::kOpen:
      if ((req.hdr.arg[0] & O_CREAT) && req.hdr.arg[2] == 0) entry(0);
      break;
    case proto::kMkdir:
    case proto::kMknod:
    case proto::kUnlink:
      entry(0);
      break;
    case proto::kSymlink:
      entry(1);
      break;
    case proto::kRename:
    case proto::kLink:
      entry(0);
      entry(1);
      break;
    case proto::kChmod:
    case proto::kChown:
    case proto::kTruncate:
      entry_and_target(0);
      break;
    case proto::kUtimens:
      if (req.str[0].empty())
        by_fd(false);
      else
        entry_and_target(0);
      break;
    case proto::kFchmod:
    case proto::kFchown:
      by_fd(false);
      break;
    case proto::kGetdents:  // a listing may move the directory's atime
      by_fd(true);
      break;
    default:
      break;
  }
  return out;
}

void FileServer::NameChanged(const std::string& abs, const ProcessContext& ctx) {
  if (cache_ && !cache_->empty() && !abs.empty() && abs[0] == '/')
    cache_->Changed(EntryPath(abs, ctx));
}

std::string FileServer::CanonicalPath(const std::string& path, const ProcessContext& ctx) {
  if (path.empty() || path.size() > proto::kMaxPath || path.find('\0') != std::string::npos)
    return path;
  std::string abs = path[0] == '/' ? path : ctx.cwd + "/" + path;
  Resolved r;
  auto lookup = [&](const std::string& p, VNode* n) { return tree_.Lookup(p, ctx, n); };
  // Only the name is wanted: no parent dir, which lets the one-call lookup
  // answer (an exec's /bin/true -> /bin/busybox in three calls, not a walk).
  if (fs_.Resolve(abs, true, lookup, &r, nullptr, /*need_parent=*/false) != 0 ||
      r.kind == Resolved::kMissing)
    return path;
  return r.vpath;
}

int FileServer::FdToVirtual(int fd, std::string* vpath) const {
  std::string target = ReadLink(AT_FDCWD, SelfFdPath(fd));
  if (target.empty()) return -EBADF;
  if (!HostFdTargetToVirtual(fs_, target, vpath)) return -EBADF;
  return 0;
}

int FileServer::DirFdBase(int fd, const ProcessContext& ctx, std::string* vpath) {
  std::string target = ReadLink(AT_FDCWD, SelfFdPath(fd));
  if (target.empty()) return -EBADF;
  if (std::string v; fs_.VirtualDirOfHost(target, &v)) {
    // A virtual directory the proxy handed out: resolved again in full.
    Resolved r;
    auto lookup = [&](const std::string& p, VNode* n) { return tree_.Lookup(p, ctx, n); };
    if (int e = fs_.Resolve(v, true, lookup, &r); e < 0) return -EBADF;
    if (r.kind != Resolved::kVirtual || r.node.kind != VNode::kDir) return -ENOTDIR;
    *vpath = r.vpath;
    return 0;
  }
  if (target[0] != '/' || target.ends_with(" (deleted)")) return -EBADF;
  if (!fs_.HostToVirtual(target, vpath)) return -EBADF;
  struct stat st;
  if (fstat(fd, &st) != 0) return -EBADF;
  if (!S_ISDIR(st.st_mode)) return -ENOTDIR;
  return 0;
}

int FileServer::PathArg(const ReceivedRequest& req, int i, const ProcessContext& ctx,
                        std::string* abs) const {
  const std::string& s = req.str[i];
  if (s.empty()) return -ENOENT;
  if (s.size() > proto::kMaxPath) return -ENAMETOOLONG;
  if (s.find('\0') != std::string::npos) return -EINVAL;
  if (s[0] == '/') {
    *abs = s;
    return 0;
  }
  std::string base = ctx.cwd;
  int32_t slot = req.hdr.dirfd_slot[i];
  if (slot >= 0) {
    if (static_cast<size_t>(slot) >= req.fds.size()) return -EBADF;
    if (int e = const_cast<FileServer*>(this)->DirFdBase(req.fds[slot].get(), ctx, &base); e < 0)
      return e;
  }
  *abs = base + "/" + s;
  return 0;
}

int FileServer::ResolveArg(const ReceivedRequest& req, int i, const ProcessContext& ctx,
                           bool follow, Resolved* out, bool need_parent, int open_flags) {
  std::string abs;
  if (int e = PathArg(req, i, ctx, &abs); e < 0) return e;
  auto lookup = [&](const std::string& p, VNode* n) { return tree_.Lookup(p, ctx, n); };
  int e = fs_.Resolve(abs, follow, lookup, out, &ctx.creds, need_parent, open_flags);
  last_plain_ = out->plain_path;
  last_up_ = out->plain_up;
  return e;
}

int FileServer::CheckParentWritable(const Resolved& r, const ProcessContext& ctx,
                                    struct stat* parent_st) {
  if (r.parent_virtual || !r.parent) return -EACCES;  // /proc, /dev, or a mount's root
  if (fs_.MountReadonly(r.mount)) return -EROFS;
  if (fstat(r.parent.get(), parent_st) != 0) return -errno;
  if (!MayAccess(ctx.creds, *parent_st, kMayWrite | kMayExec)) return -EACCES;
  return 0;
}

int FileServer::SetNewOwner(int dirfd, const std::string& name, const struct stat& parent,
                            const ProcessContext& ctx) {
  gid_t gid = (parent.st_mode & S_ISGID) ? parent.st_gid : ctx.creds.fsgid;
  if (fchownat(dirfd, name.c_str(), ctx.creds.fsuid, gid, AT_SYMLINK_NOFOLLOW) != 0) return -errno;
  return 0;
}

int FileServer::GuestFdObject(int fd, struct stat* st, int* mount) const {
  std::string target = ReadLink(AT_FDCWD, SelfFdPath(fd));
  if (target.ends_with(" (deleted)")) target.resize(target.size() - 10);  // still its old place
  std::string vpath;
  if (target.empty() || target[0] != '/' || !fs_.HostToVirtual(target, &vpath, mount))
    return -EPERM;  // pipes, sockets, memfds, host files: nothing of the sandbox's tree
  if (fstat(fd, st) != 0) return -EBADF;
  return 0;
}

}  // namespace litebox::rootfs
