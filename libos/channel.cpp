#include "libos/channel.hpp"

#include "libos/abi/constants.h"
#include "libos/lookup_cache.hpp"
#include "libos/rt/kernel.hpp"
#include "libos/rt/sys.hpp"
#include "libos/rt/util.hpp"
#include "libos/shared_page.hpp"

namespace lb {

namespace {
LB_HOT Lock g_lock;
// About 30 us of non-blocking polls (one recvmsg is ~0.3 us here).
constexpr int kReplySpinPolls = 100;
// Datagrams this process sent on its socket (the shared page's ordering).
LB_HOT uint32_t g_sock_sent = 0;
// A fork child whose kChildWelcome (its shared page) is not read yet.
LB_HOT bool g_welcome_pending = false;

proto::Request request_header(const Rpc& r) {
  proto::Request req{};
  req.magic = proto::kMagic;
  req.op = r.op;
  req.size = static_cast<uint32_t>(sizeof req + r.str_len[0] + r.str_len[1]);
  req.nfds = static_cast<uint32_t>(r.nfds);
  for (int i = 0; i < 6; ++i) req.arg[i] = r.arg[i];
  req.str_len[0] = r.str_len[0];
  req.str_len[1] = r.str_len[1];
  req.dirfd_slot[0] = r.dirfd_slot[0];
  req.dirfd_slot[1] = r.dirfd_slot[1];
  return req;
}

void send_request(Rpc& r) {
  proto::Request req = request_header(r);
  k::iovec iov[3] = {{&req, sizeof req},
                     {const_cast<char*>(r.str[0]), r.str_len[0]},
                     {const_cast<char*>(r.str[1]), r.str_len[1]}};
  alignas(8) char ctl[64];
  k::msghdr mh{};
  mh.iov = iov;
  mh.iovlen = 3;
  if (r.nfds > 0) {
    auto* c = reinterpret_cast<k::cmsghdr*>(ctl);
    c->level = k::SOL_SOCKET;
    c->type = k::SCM_RIGHTS;
    c->len = sizeof(k::cmsghdr) + sizeof(int) * r.nfds;
    memcpy(ctl + sizeof(k::cmsghdr), r.fds, sizeof(int) * r.nfds);
    mh.control = ctl;
    mh.controllen = (c->len + 7) & ~7ul;
  }
  long n;
  do n = sys(__NR_sendmsg, abi::kChannelFd, (long)&mh, k::MSG_NOSIGNAL);
  while (n == -k::EINTR);
  if (n < 0) exit_group(128 + k::SIGKILL);  // supervisor gone
  ++g_sock_sent;
}

// Notices that can wait for this process's next request (kReaped: until
// then the supervisor tells a reaped zombie by its pidfd): sent just ahead
// of it, so one wake-up of the supervisor serves both. A fork+wait loop
// otherwise wakes it once more per child.
struct Deferred {
  uint32_t op;
  int64_t arg0;
};
constexpr int kMaxDeferred = 8;
LB_HOT int g_ndeferred = 0;
Deferred g_deferred[kMaxDeferred];

void flush_deferred() {
  for (int i = 0; i < g_ndeferred; ++i) {
    Rpc n;
    n.op = g_deferred[i].op;
    n.arg[0] = g_deferred[i].arg0;
    send_request(n);
  }
  g_ndeferred = 0;
}

// File ops are answered within microseconds (worth polling for); a fork,
// wait or exec is not.
bool is_quick(uint32_t op) {
  return op >= proto::kOpen && op <= proto::kFchown;
}

// The fds that came with a datagram (up to two; -1 for none).
void attached_fds(const k::msghdr& m, const char* ctl, int out[2]) {
  out[0] = out[1] = -1;
  if (m.controllen < sizeof(k::cmsghdr) + sizeof(int)) return;
  auto* c = reinterpret_cast<const k::cmsghdr*>(ctl);
  if (c->level != k::SOL_SOCKET || c->type != k::SCM_RIGHTS || c->len < sizeof(k::cmsghdr)) return;
  size_t n = (c->len - sizeof(k::cmsghdr)) / sizeof(int);
  if (n > 2) n = 2;  // the channel never carries more (kMaxFds)
  memcpy(out, ctl + sizeof(k::cmsghdr), n * sizeof(int));
}

int attached_fd(const k::msghdr& m, const char* ctl) {
  int fds[2];
  attached_fds(m, ctl, fds);
  if (fds[1] >= 0) sys(__NR_close, fds[1]);
  return fds[0];
}

// The welcome's page is mapped (or, without one, the socket kept).
void take_welcome(const proto::Response& resp, int fd) {
  g_welcome_pending = false;
  if (fd < 0) return;
  if (resp.result < 0 || !page::map(fd)) sys(__NR_close, fd);
}

// A fork child's first request: its welcome is usually queued by now (the
// parent sent its kFork before the clone), and with it the page serves
// this very request. If not, receive_reply takes it when it comes.
void try_welcome() {
  proto::Response resp{};
  k::iovec iov{&resp, sizeof resp};
  alignas(8) char ctl[64];
  k::msghdr m{};
  m.iov = &iov;
  m.iovlen = 1;
  m.control = ctl;
  m.controllen = sizeof ctl;
  long n = sys(__NR_recvmsg, abi::kChannelFd, (long)&m, k::MSG_DONTWAIT | k::MSG_CMSG_CLOEXEC);
  if (n == -k::EAGAIN || n == -k::EINTR) return;
  if (n <= 0) exit_group(128 + k::SIGKILL);  // supervisor gone
  // Nothing else comes unasked: anything but a welcome is a broken channel.
  if (static_cast<size_t>(n) < sizeof resp || resp.magic != proto::kMagic ||
      resp.op != proto::kChildWelcome)
    exit_group(128 + k::SIGKILL);
  take_welcome(resp, attached_fd(m, ctl));
}

long receive_reply(Rpc& r) {
  alignas(8) char ctl[64];
  long n;
  proto::Response resp{};
  k::iovec riov[2] = {{&resp, sizeof resp}, {r.payload, r.payload_cap}};
  k::msghdr rm{};
  rm.iov = riov;
  rm.iovlen = r.payload_cap ? 2 : 1;
  rm.control = ctl;
  rm.controllen = sizeof ctl;
  // Poll for the answer before sleeping on it: the supervisor usually
  // answers within microseconds, and a sleeping thread's wake-up costs
  // tens of them on a VM (an idle vCPU halts). Bounded, then block.
  // Only file operations are answered that fast; a fork, wait or exec is
  // not, and polling for it would take the CPU the other side needs.
  const long rflags = r.cloexec ? k::MSG_CMSG_CLOEXEC : 0;
  const bool quick = is_quick(r.op);
  n = -k::EAGAIN;
  for (int spin = 0; quick && spin < kReplySpinPolls && n == -k::EAGAIN; ++spin) {
    rm.controllen = sizeof ctl;
    n = sys(__NR_recvmsg, abi::kChannelFd, (long)&rm, rflags | k::MSG_DONTWAIT);
    if (n == -k::EAGAIN) __builtin_ia32_pause();
  }
  for (;;) {
    while (n == -k::EAGAIN || n == -k::EINTR) {
      rm.controllen = sizeof ctl;
      n = sys(__NR_recvmsg, abi::kChannelFd, (long)&rm, rflags);
    }
    if (n <= 0) exit_group(128 + k::SIGKILL);
    if (static_cast<size_t>(n) < sizeof resp || resp.magic != proto::kMagic) {
      // Not a reply: whatever fds came with it are nobody's.
      int junk[2];
      attached_fds(rm, ctl, junk);
      for (int f : junk)
        if (f >= 0) sys(__NR_close, f);
      return -k::EPROTO;
    }
    if (g_welcome_pending && resp.op == proto::kChildWelcome) {
      take_welcome(resp, attached_fd(rm, ctl));
    } else if (resp.op != r.op) {
      // Not the answer to this request: nothing else comes unasked here
      // (the launch after the hello is read by receive_unasked), so it
      // answers none (the supervisor answers no notification, malformed
      // or not); dropped, fd and all, and the real answer read next.
      int stray[2];
      attached_fds(rm, ctl, stray);
      for (int f : stray)
        if (f >= 0) sys(__NR_close, f);
    } else {
      break;
    }
    n = -k::EAGAIN;  // the reply is still to come
  }
  r.payload_len = static_cast<size_t>(n) - sizeof resp;
  r.aux[0] = resp.aux[0];
  r.aux[1] = resp.aux[1];
  int fds[2];
  attached_fds(rm, ctl, fds);
  r.fd_out = fds[0];
  r.fd_out2 = fds[1];
  return resp.result;
}

long socket_call(Rpc& r) {
  send_request(r);
  return receive_reply(r);
}

// The request over the shared page (proto.h, "Shared page").
long page_call(Rpc& r) {
  proto::Request req = request_header(r);
  char* out = page::request_area();
  memcpy(out, &req, sizeof req);
  memcpy(out + sizeof req, r.str[0], r.str_len[0]);
  memcpy(out + sizeof req + r.str_len[0], r.str[1], r.str_len[1]);
  if (page::post(req.size, g_sock_sent)) {
    Rpc bell;
    bell.op = proto::kDoorbell;
    send_request(bell);
  }
  if (page::wait() == proto::kShmOnSocket) return receive_reply(r);
  size_t n;
  const char* a = page::answer(&n);
  proto::Response resp;
  if (n < sizeof resp) return -k::EPROTO;
  memcpy(&resp, a, sizeof resp);
  if (resp.magic != proto::kMagic) return -k::EPROTO;
  size_t payload = n - sizeof resp;
  if (payload > r.payload_cap) payload = r.payload_cap;
  if (payload) memcpy(r.payload, a + sizeof resp, payload);
  r.payload_len = payload;
  r.aux[0] = resp.aux[0];
  r.aux[1] = resp.aux[1];
  r.fd_out = -1;
  return resp.result;
}

long send_recv(Rpc& r) {
  if (g_ndeferred) flush_deferred();
  if (g_welcome_pending) try_welcome();
  if (long result; lookup::answer(r, page::lookup_tag(), &result)) return result;
  if (is_quick(r.op) && r.nfds == 0 &&
      sizeof(proto::Request) + r.str_len[0] + r.str_len[1] <= proto::kShmReqCap && page::ready())
    return page_call(r);
  return socket_call(r);
}
}  // namespace

long rpc(Rpc& r) {
  Guard g(g_lock);
  return send_recv(r);
}

long rpc_locked(Rpc& r) {
  return send_recv(r);
}

long receive_unasked(Rpc& r) {
  Guard g(g_lock);
  return receive_reply(r);
}

void notify(Rpc& r) {
  Guard g(g_lock);
  notify_locked(r);
}

void notify_locked(Rpc& r) {
  if (g_ndeferred) flush_deferred();
  send_request(r);
}

void notify_later(uint32_t op, int64_t arg0) {
  Guard g(g_lock);
  if (g_ndeferred == kMaxDeferred) flush_deferred();
  g_deferred[g_ndeferred++] = {op, arg0};
}

long rpc_on_fd(uint32_t op, long fd_arg, long a0, long a1, long a2) {
  const int fd = static_cast<int>(fd_arg);  // an int argument: the upper half is junk
  if (!abi::IsAppFd(fd)) return -k::EBADF;
  Rpc r;
  r.op = op;
  r.fds[0] = fd;
  r.nfds = 1;
  r.arg[0] = a0;
  r.arg[1] = a1;
  r.arg[2] = a2;
  return rpc(r);
}

void log_line(const char* s) {
  Rpc r;
  r.op = proto::kLog;
  r.set_str(0, s);
  rpc(r);
}

void channel_lock() {
  g_lock.lock();
}
void channel_unlock() {
  g_lock.unlock();
}
void channel_reset_in_child() {
  g_lock.reset();
  g_sock_sent = 0;
  g_ndeferred = 0;  // the parent's to send
  g_welcome_pending = true;
  page::forget_in_child();
}

}  // namespace lb
