// Raw access to the libOS's supervisor channel (fd abi::kChannelFd) for
// the channel attacks: the app shares the process with the libOS, so it can
// send the supervisor anything the libOS could, and worse.
#pragma once

#include <poll.h>
#include <sys/socket.h>

#include <string>
#include <vector>

#include "attack.h"
#include "libos/abi/constants.h"
#include "libos/abi/proto.h"

namespace chan {

using litebox::proto::Request;
using litebox::proto::Response;
inline constexpr int kFd = litebox::abi::kChannelFd;

struct Reply {
  long result = -ETIMEDOUT;  // -ETIMEDOUT: no reply within the wait
  int fd = -1;               // an fd that came with the reply
  std::string payload;
};

// Sends raw bytes (with fds) as one datagram; returns sendmsg's result.
inline long SendRaw(const void* data, size_t len, const std::vector<int>& fds = {}) {
  iovec iov{const_cast<void*>(data), len};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  char cbuf[CMSG_SPACE(sizeof(int) * 8)] = {};
  if (!fds.empty()) {
    msg.msg_control = cbuf;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  return RAW3(SYS_sendmsg, kFd, &msg, MSG_NOSIGNAL);
}

// Waits up to `ms` for one reply datagram.
inline Reply Receive(int ms = 3000) {
  Reply r;
  pollfd p{kFd, POLLIN, 0};
  if (RAW3(SYS_poll, &p, 1, ms) <= 0) return r;
  static char buf[litebox::proto::kMaxMessage + 64];
  iovec iov{buf, sizeof buf};
  char cbuf[CMSG_SPACE(sizeof(int) * 4)];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf;
  msg.msg_controllen = sizeof cbuf;
  long n = RAW3(SYS_recvmsg, kFd, &msg, MSG_CMSG_CLOEXEC);
  if (n < (long)sizeof(Response)) {
    r.result = n < 0 ? n : -EBADMSG;
    return r;
  }
  Response resp;
  memcpy(&resp, buf, sizeof resp);
  r.result = resp.result;
  r.payload.assign(buf + sizeof resp, n - sizeof resp);
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
    if (c->cmsg_type == SCM_RIGHTS) memcpy(&r.fd, CMSG_DATA(c), sizeof(int));
  return r;
}

inline Request Make(uint32_t op, const std::string& s0 = "", const std::string& s1 = "") {
  Request q{};
  q.magic = litebox::proto::kMagic;
  q.op = op;
  q.str_len[0] = s0.size();
  q.str_len[1] = s1.size();
  q.size = sizeof q + s0.size() + s1.size();
  q.dirfd_slot[0] = q.dirfd_slot[1] = -1;
  return q;
}

// Sends a request (header + its strings) and waits for the reply.
inline Reply Call(Request q, const std::string& s0 = "", const std::string& s1 = "",
                  const std::vector<int>& fds = {}) {
  std::string dgram(reinterpret_cast<const char*>(&q), sizeof q);
  dgram += s0;
  dgram += s1;
  long s = SendRaw(dgram.data(), dgram.size(), fds);
  if (s < 0) {
    Reply r;
    r.result = s;
    return r;
  }
  return Receive();
}

// Reports a reply as a STEP, dumps any fd it carried as DATA.
inline long Report(const char* label, const Reply& r) {
  step(label, r.result);
  if (r.fd >= 0) dump_fd(label, r.fd);
  if (!r.payload.empty()) {
    std::string p = r.payload.substr(0, 512);
    for (char& c : p)
      if (c == '\n' || c == 0) c = ' ';
    out("PAYLOAD %s %s\n", label, p.c_str());
  }
  return r.result;
}

// A proper stat of "/" must still work: the channel is in sync.
inline long StillInSync(const char* label) {
  Reply r = Call(Make(litebox::proto::kStat, "/"), "/");
  return step(label, r.result);
}

}  // namespace chan
