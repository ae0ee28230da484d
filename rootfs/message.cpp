#include "rootfs/message.hpp"

#include <poll.h>
#include <string.h>

#include <cerrno>
#include <memory>
#include <utility>

namespace litebox::rootfs {
namespace {

// Room for kMaxFds fds and one ucred, whatever order the kernel uses.
constexpr size_t kCmsgSpace =
    CMSG_SPACE(sizeof(int) * proto::kMaxFds) + CMSG_SPACE(sizeof(struct ucred)) + 64;

RecvStatus Malformed(ReceivedRequest* out, int* errno_out, int err) {
  out->fds.clear();  // closes them
  out->str[0].clear();
  out->str[1].clear();
  *errno_out = err;
  return RecvStatus::kMalformed;
}

bool HasNul(const std::string& s) {
  return s.find('\0') != std::string::npos;
}

}  // namespace

bool IsKnownOp(uint32_t op) {
  return (op >= proto::kHello && op <= proto::kLog) || op == proto::kDoorbell ||
         (op >= proto::kOpen && op <= proto::kChdir) ||
         (op >= proto::kFdPath && op <= proto::kFchown) ||
         (op >= proto::kSetIds && op <= proto::kHostPgid);
}

bool IsPathOp(uint32_t op) {
  return op >= proto::kOpen && op <= proto::kFchown;
}

RecvStatus ReceiveRequest(int channel, ReceivedRequest* out, int* errno_out, int recv_flags) {
  *out = ReceivedRequest{};
  *errno_out = 0;
  // One byte more than the largest legal datagram so MSG_TRUNC can be seen
  // even on kernels that do not report the full length.
  // Reused, never cleared: only the n bytes received are read, and zeroing
  // 64 KiB per request cost more than the rest of a stat's round trip.
  static thread_local std::unique_ptr<char[]> buf =
      std::make_unique_for_overwrite<char[]>(proto::kMaxMessage + 1);
  alignas(struct cmsghdr) char cbuf[kCmsgSpace];
  struct iovec iov = {buf.get(), proto::kMaxMessage + 1};
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf;
  msg.msg_controllen = sizeof(cbuf);
  ssize_t n;
  // A peer that closed with datagrams of ours unread (a fork child exits
  // without reading its kChildWelcome) leaves ECONNRESET pending, which the
  // kernel reports, once, before the datagrams still queued from it (its
  // hello): read on after it.
  bool reset_seen = false;
  do {
    n = recvmsg(channel, &msg, MSG_CMSG_CLOEXEC | MSG_TRUNC | recv_flags);
  } while (n < 0 && (errno == EINTR || (errno == ECONNRESET && !std::exchange(reset_seen, true))));
  if (n < 0) return errno == EAGAIN ? RecvStatus::kWouldBlock : RecvStatus::kClosed;

  // Take ownership of every fd first so each failure below closes them.
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET) continue;
    if (c->cmsg_type == SCM_RIGHTS) {
      size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < count; ++i) {
        int fd;
        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
        out->fds.emplace_back(fd);
      }
    } else if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
      memcpy(&out->cred, CMSG_DATA(c), sizeof(struct ucred));
      out->has_cred = true;
    }
  }

  if (n == 0) {
    // A zero-length read is either EOF or an empty datagram; only a hangup
    // means the channel is gone.
    struct pollfd p = {channel, POLLIN | POLLRDHUP, 0};
    if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLRDHUP | POLLERR))) {
      out->fds.clear();
      return RecvStatus::kClosed;
    }
    return Malformed(out, errno_out, EINVAL);
  }
  if (msg.msg_flags & MSG_TRUNC) {
    memcpy(&out->hdr, buf.get(), sizeof(proto::Request));
    return Malformed(out, errno_out, EMSGSIZE);
  }
  if (msg.msg_flags & MSG_CTRUNC) {
    memcpy(&out->hdr, buf.get(), std::min<size_t>(static_cast<size_t>(n), sizeof(proto::Request)));
    return Malformed(out, errno_out, EINVAL);  // too many fds
  }
  return ParseRequest(buf.get(), static_cast<size_t>(n), out, errno_out);
}

RecvStatus ParseRequest(const char* buf, size_t n, ReceivedRequest* out, int* errno_out) {
  *errno_out = 0;
  memcpy(&out->hdr, buf, std::min<size_t>(n, sizeof(proto::Request)));
  if (n > proto::kMaxMessage) return Malformed(out, errno_out, EMSGSIZE);
  if (n < sizeof(proto::Request)) return Malformed(out, errno_out, EINVAL);
  const proto::Request& h = out->hdr;
  if (h.magic != proto::kMagic) return Malformed(out, errno_out, EINVAL);
  if (!IsKnownOp(h.op)) return Malformed(out, errno_out, EPROTO);
  if (h.size != static_cast<uint64_t>(n)) return Malformed(out, errno_out, EINVAL);
  uint64_t strings = uint64_t{h.str_len[0]} + h.str_len[1];
  if (sizeof(proto::Request) + strings != static_cast<uint64_t>(n))
    return Malformed(out, errno_out, EINVAL);
  if (h.nfds > proto::kMaxFds || h.nfds != out->fds.size())
    return Malformed(out, errno_out, EINVAL);
  for (int i = 0; i < 2; ++i) {
    int32_t slot = h.dirfd_slot[i];
    if (slot != -1 && (slot < 0 || static_cast<uint32_t>(slot) >= h.nfds))
      return Malformed(out, errno_out, EINVAL);
  }
  const char* p = buf + sizeof(proto::Request);
  out->str[0].assign(p, h.str_len[0]);
  out->str[1].assign(p + h.str_len[0], h.str_len[1]);
  bool paths = IsPathOp(h.op);
  for (int i = 0; i < 2; ++i) {
    // kExecDone's str0 is a path too; its str1 is argv joined with NULs.
    bool is_path = paths || (h.op == proto::kExecDone && i == 0);
    if (!is_path) continue;
    if (out->str[i].size() > proto::kMaxPath || HasNul(out->str[i]))
      return Malformed(out, errno_out, EINVAL);
  }
  return RecvStatus::kOk;
}

bool SendResponse(int channel, uint32_t op, int64_t result, int64_t aux0, std::string_view payload,
                  int fd, bool dont_wait, int fd2) {
  proto::Response r = {};
  r.op = op;
  r.result = result;
  r.aux[0] = aux0;
  return SendResponse(channel, r, payload, fd, dont_wait, fd2);
}

bool SendResponse(int channel, proto::Response r, std::string_view payload, int fd, bool dont_wait,
                  int fd2) {
  if (payload.size() > kMaxPayload) return false;
  int fds[2];
  int nfds = 0;
  for (int f : {fd, fd2})
    if (f >= 0) fds[nfds++] = f;
  r.magic = proto::kMagic;
  r.size = static_cast<uint32_t>(sizeof(r) + payload.size());
  r.nfds = static_cast<uint32_t>(nfds);
  struct iovec iov[2] = {{&r, sizeof(r)}, {const_cast<char*>(payload.data()), payload.size()}};
  struct msghdr msg = {};
  msg.msg_iov = iov;
  msg.msg_iovlen = payload.empty() ? 1 : 2;
  alignas(struct cmsghdr) char cbuf[CMSG_SPACE(sizeof(fds))] = {};
  if (nfds > 0) {
    msg.msg_control = cbuf;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
  }
  ssize_t n;
  do {
    n = sendmsg(channel, &msg, MSG_NOSIGNAL | (dont_wait ? MSG_DONTWAIT : 0));
  } while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(r.size);
}

size_t EncodeResponse(char* out, size_t cap, uint32_t op, int64_t result, int64_t aux0,
                      std::string_view payload) {
  size_t n = sizeof(proto::Response) + payload.size();
  if (n > cap) return 0;
  proto::Response r = {};
  r.magic = proto::kMagic;
  r.op = op;
  r.size = static_cast<uint32_t>(n);
  r.result = result;
  r.aux[0] = aux0;
  memcpy(out, &r, sizeof r);
  if (!payload.empty()) memcpy(out + sizeof r, payload.data(), payload.size());
  return n;
}

}  // namespace litebox::rootfs
