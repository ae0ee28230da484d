#include "runtime/control.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace litebox::runtime {

bool SendControl(int fd, const nlohmann::json& msg, const std::vector<int>& fds) {
  std::string body = msg.dump();
  if (body.size() > kMaxControlMessage) return false;
  iovec iov{body.data(), body.size()};
  msghdr mh{};
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  std::vector<char> ctl;
  if (!fds.empty()) {
    ctl.resize(CMSG_SPACE(sizeof(int) * fds.size()));
    mh.msg_control = ctl.data();
    mh.msg_controllen = ctl.size();
    cmsghdr* c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  ssize_t n;
  do n = sendmsg(fd, &mh, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(body.size());
}

bool RecvControl(int fd, nlohmann::json* msg, std::vector<int>* fds, std::string* err) {
  // One buffer per thread, never zeroed: a fresh zero-filled 256 KiB string
  // per message cost ~100 us of memset and page faults, several times per
  // container start. Only the n bytes received are read.
  static thread_local std::unique_ptr<char[]> buf =
      std::make_unique_for_overwrite<char[]>(kMaxControlMessage);
  iovec iov{buf.get(), kMaxControlMessage};
  alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(int) * 8)];
  msghdr mh{};
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = ctl;
  mh.msg_controllen = sizeof ctl;
  ssize_t n;
  do n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n <= 0) {
    if (err)
      *err = n == 0 ? "control connection closed" : std::string("control recv: ") + strerror(errno);
    return false;
  }
  std::vector<int> got;
  for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < k; ++i) {
        int f;
        memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof f);
        got.push_back(f);
      }
    }
  }
  nlohmann::json j = nlohmann::json::parse(buf.get(), buf.get() + n, nullptr, false);
  if (j.is_discarded() || !j.is_object() || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
    for (int f : got) close(f);
    if (err) *err = "malformed control message";
    return false;
  }
  *msg = std::move(j);
  if (fds)
    *fds = std::move(got);
  else
    for (int f : got) close(f);
  return true;
}

bool CallControl(int fd, const nlohmann::json& req, nlohmann::json* reply, std::string* err,
                 const std::vector<int>& fds, std::vector<int>* reply_fds) {
  if (!SendControl(fd, req, fds)) {
    *err = std::string("cannot reach the sandbox supervisor: ") + strerror(errno);
    return false;
  }
  nlohmann::json r;
  if (!RecvControl(fd, &r, reply_fds, err)) return false;
  if (!r.value("ok", false)) {
    if (reply_fds) {
      for (int f : *reply_fds) close(f);
      reply_fds->clear();
    }
    *err = r.value("error", std::string("supervisor refused the request"));
    return false;
  }
  if (reply) *reply = std::move(r);
  return true;
}

}  // namespace litebox::runtime
