#include "runtime/socket_broker.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "libos/abi/proto.h"

namespace litebox::runtime {

namespace {

namespace proto = litebox::proto;
constexpr uint64_t kCapNetBindService = 1ull << 10;

int SocketOpt(int fd, int opt) {
  int v = 0;
  socklen_t len = sizeof v;
  if (getsockopt(fd, SOL_SOCKET, opt, &v, &len) != 0) return -1;
  return v;
}

// connect/bind an AF_INET/AF_INET6 socket the guest owns. Never blocks the
// supervisor: a blocking socket is switched to non-blocking for the call.
int64_t InetOp(uint32_t op, int fd, const sockaddr* sa, socklen_t len,
               const rootfs::ProcessContext& ctx) {
  if (op == proto::kSockBind) {
    uint16_t port = 0;
    if (sa->sa_family == AF_INET && len >= sizeof(sockaddr_in))
      port = ntohs(reinterpret_cast<const sockaddr_in*>(sa)->sin_port);
    if (sa->sa_family == AF_INET6 && len >= sizeof(sockaddr_in6))
      port = ntohs(reinterpret_cast<const sockaddr_in6*>(sa)->sin6_port);
    if (port != 0 && port < 1024 && !(ctx.creds.cap_effective & kCapNetBindService)) return -EACCES;
    return bind(fd, sa, len) == 0 ? 0 : -errno;
  }
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0) return -EBADF;
  if (!(fl & O_NONBLOCK)) fcntl(fd, F_SETFL, fl | O_NONBLOCK);
  int r = connect(fd, sa, len);
  int e = errno;
  if (!(fl & O_NONBLOCK)) fcntl(fd, F_SETFL, fl);
  return r == 0 ? 0 : -e;
}

// The host path of a sandbox path's parent directory + the last name,
// as "/proc/self/fd/N/name" (N an O_PATH fd kept open by the caller).
int64_t UnixTarget(const rootfs::RootFs& root, const rootfs::ProcessContext& ctx,
                   const std::string& vpath, bool for_bind, rootfs::UniqueFd* keep,
                   std::string* host) {
  rootfs::Resolved r;
  auto no_virtual = [](const std::string&, rootfs::VNode*) { return 0; };
  int e = root.Resolve(vpath, !for_bind, no_virtual, &r, &ctx.creds);
  if (e < 0) return e;
  if (for_bind) {
    if (r.kind != rootfs::Resolved::kMissing) return -EADDRINUSE;
    if (!r.parent || root.MountReadonly(r.mount)) return -EROFS;
    *host = "/proc/self/fd/" + std::to_string(r.parent.get()) + "/" + r.name;
    *keep = std::move(r.parent);
    return 0;
  }
  if (r.kind == rootfs::Resolved::kMissing) return -ENOENT;
  if (r.kind != rootfs::Resolved::kHost) return -ECONNREFUSED;
  if (!S_ISSOCK(r.st.st_mode)) return -ECONNREFUSED;
  *host = "/proc/self/fd/" + std::to_string(r.fd.get());
  *keep = std::move(r.fd);
  return 0;
}

}  // namespace

std::string UnixSocketPath(const std::string& addr, const rootfs::ProcessContext& ctx) {
  constexpr size_t kPathAt = offsetof(sockaddr_un, sun_path);
  sa_family_t family = 0;
  if (addr.size() >= sizeof family) memcpy(&family, addr.data(), sizeof family);
  if (family != AF_UNIX || addr.size() <= kPathAt || addr.size() > sizeof(sockaddr_storage) ||
      addr[kPathAt] == '\0')
    return "";
  const char* p = addr.data() + kPathAt;
  std::string vpath(p, strnlen(p, addr.size() - kPathAt));
  if (vpath[0] != '/') {
    std::string base = ctx.cwd;
    if (base.empty() || base.back() != '/') base += '/';
    vpath = base + vpath;
  }
  return vpath;
}

void HandleSocketOp(const rootfs::ReceivedRequest& req, const rootfs::RootFs& root,
                    const rootfs::ProcessContext& ctx, bool network, int channel) {
  const uint32_t op = req.hdr.op;
  auto reply = [&](int64_t r, int fd = -1) { rootfs::SendResponse(channel, op, r, 0, {}, fd); };
  if (req.fds.size() != 1) return reply(-EINVAL);
  int fd = req.fds[0].get();
  const std::string& addr = req.str[0];
  if (addr.size() < sizeof(sa_family_t) || addr.size() > sizeof(sockaddr_storage))
    return reply(-EINVAL);
  sockaddr_storage ss{};
  memcpy(&ss, addr.data(), addr.size());
  auto* sa = reinterpret_cast<sockaddr*>(&ss);
  socklen_t len = static_cast<socklen_t>(addr.size());
  int domain = SocketOpt(fd, SO_DOMAIN);
  if (domain < 0) return reply(-ENOTSOCK);
  if (sa->sa_family != domain && !(domain == AF_INET6 && sa->sa_family == AF_INET))
    return reply(-EAFNOSUPPORT);

  if (domain == AF_INET || domain == AF_INET6) {
    if (!network) return reply(-ENETUNREACH);
    return reply(InetOp(op, fd, sa, len, ctx));
  }
  if (domain != AF_UNIX) return reply(-EAFNOSUPPORT);
  std::string vpath = UnixSocketPath(addr, ctx);
  if (vpath.empty()) {
    // Abstract names are host-global (per network namespace): not offered yet.
    return reply(op == proto::kSockBind ? -EACCES : -ECONNREFUSED);
  }
  int type = SocketOpt(fd, SO_TYPE);
  if (type != SOCK_STREAM && type != SOCK_SEQPACKET) return reply(-EOPNOTSUPP);
  rootfs::UniqueFd keep;
  std::string host;
  int64_t e = UnixTarget(root, ctx, vpath, op == proto::kSockBind, &keep, &host);
  if (e < 0) return reply(e);
  sockaddr_un target{};
  target.sun_family = AF_UNIX;
  if (host.size() >= sizeof target.sun_path) return reply(-ENAMETOOLONG);
  memcpy(target.sun_path, host.c_str(), host.size() + 1);
  int s = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
  if (s < 0) return reply(-errno);
  int r;
  if (op == proto::kSockBind) {
    // Bind by the last name from inside the parent directory: the kernel
    // records the name given to bind (getsockname, the peer's getpeername),
    // and a host path there would show the sandbox where its root lives.
    std::string name = host.substr(host.rfind('/') + 1);
    int here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    sockaddr_un rel{};
    rel.sun_family = AF_UNIX;
    memcpy(rel.sun_path, name.c_str(), name.size() + 1);
    if (here < 0 || fchdir(keep.get()) != 0) {
      r = -1;
    } else {
      r = bind(s, reinterpret_cast<sockaddr*>(&rel), sizeof rel);
      int e = errno;
      if (fchdir(here) != 0) r = -1;
      errno = e;
    }
    if (here >= 0) close(here);
  } else {
    r = connect(s, reinterpret_cast<sockaddr*>(&target), sizeof target);
  }
  if (r != 0) {
    int err = errno;
    close(s);
    return reply(-err);
  }
  if (op == proto::kSockBind) {
    // The socket inode belongs to the virtual user, like any new file.
    fchownat(keep.get(), host.substr(host.rfind('/') + 1).c_str(), ctx.creds.fsuid, ctx.creds.fsgid,
             AT_SYMLINK_NOFOLLOW);
  }
  reply(0, s);
  close(s);
}

}  // namespace litebox::runtime
