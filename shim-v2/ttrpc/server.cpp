#include "shim-v2/ttrpc/server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <thread>

#include "litebox/ttrpc.pb.h"
#include "shim-v2/ttrpc/frame.hpp"

namespace litebox::shim::ttrpc {

namespace {

// One connection: the fd is closed when the reader and every in-flight
// request thread have let go of it, so a late response never hits a reused fd.
struct Conn {
  explicit Conn(int f) : fd(f) {}
  ~Conn() { close(fd); }
  int fd;
  std::mutex write_mu;

  void Send(uint32_t stream_id, const Reply& reply) {
    litebox::ttrpc::Response resp;
    // Go always sends the status submessage, even for OK (0a 00).
    resp.mutable_status()->set_code(reply.code);
    if (!reply.ok()) resp.mutable_status()->set_message(reply.message);
    if (reply.ok()) resp.set_payload(reply.payload);
    std::string bytes;
    resp.SerializeToString(&bytes);
    std::string err;
    std::lock_guard<std::mutex> lock(write_mu);
    if (!WriteFrame(fd, stream_id, kTypeResponse, 0, bytes, &err)) {
      // The peer went away; nothing else to tell it.
    }
  }
};

}  // namespace

std::string Call::Meta(const std::string& key) const {
  auto it = metadata.find(key);
  return it == metadata.end() ? std::string() : it->second;
}

Server::Server() {
  if (pipe2(stop_pipe_, O_CLOEXEC) != 0) stop_pipe_[0] = stop_pipe_[1] = -1;
}

Server::~Server() {
  if (stop_pipe_[0] >= 0) close(stop_pipe_[0]);
  if (stop_pipe_[1] >= 0) close(stop_pipe_[1]);
}

void Server::Register(const std::string& service, const std::string& method, Handler handler) {
  services_[service][method] = std::move(handler);
}

Reply Server::Dispatch(const Call& call) const {
  auto s = services_.find(call.service);
  if (s == services_.end()) return Reply::Error(kUnimplemented, "service " + call.service);
  auto m = s->second.find(call.method);
  if (m == s->second.end()) return Reply::Error(kUnimplemented, "method " + call.method);
  try {
    return m->second(call);
  } catch (const std::exception& e) {
    return Reply::Error(kInternal, call.service + "/" + call.method + ": " + e.what());
  }
}

void Server::ServeConnection(int fd) {
  auto conn = std::make_shared<Conn>(fd);
  {
    std::lock_guard<std::mutex> lock(conns_mu_);
    conns_.push_back(fd);
  }
  for (;;) {
    FrameHeader h;
    std::string data, err;
    ReadStatus st = ReadFrame(fd, &h, &data, &err);
    if (st == ReadStatus::kEof || st == ReadStatus::kError) break;
    if (st == ReadStatus::kTooLarge) {
      conn->Send(h.stream_id,
                 Reply::Error(kResourceExhausted, "message length " + std::to_string(h.length) +
                                                      " exceed maximum message size of " +
                                                      std::to_string(kMaxMessageSize)));
      continue;
    }
    if (h.type != kTypeRequest) continue;  // data frames: no streaming RPCs here
    litebox::ttrpc::Request req;
    if (!req.ParseFromString(data)) {
      conn->Send(h.stream_id, Reply::Error(kInvalidArgument, "ttrpc: request does not parse"));
      continue;
    }
    auto call = std::make_shared<Call>();
    call->service = req.service();
    call->method = req.method();
    call->payload = req.payload();
    call->timeout_nano = req.timeout_nano();
    for (const auto& kv : req.metadata()) call->metadata.emplace(kv.key(), kv.value());
    ++in_flight_;
    std::thread([this, conn, call, id = h.stream_id] {
      conn->Send(id, Dispatch(*call));
      --in_flight_;
    }).detach();
  }
  std::lock_guard<std::mutex> lock(conns_mu_);
  conns_.erase(std::remove(conns_.begin(), conns_.end(), fd), conns_.end());
}

bool Server::Serve(int listen_fd, std::string* err) {
  if (stop_pipe_[0] < 0) {
    *err = "ttrpc: server has no stop pipe (pipe2 failed at construction)";
    return false;
  }
  while (!stopping_) {
    pollfd p[2] = {{listen_fd, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      *err = std::string("ttrpc: poll on listener: ") + strerror(errno);
      return false;
    }
    if (p[1].revents) break;
    if (!(p[0].revents & POLLIN)) continue;
    int fd = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED || errno == EAGAIN) continue;
      *err = std::string("ttrpc: accept: ") + strerror(errno);
      return false;
    }
    ucred cred{};
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || cred.uid != geteuid() ||
        cred.gid != getegid()) {
      close(fd);
      continue;
    }
    std::thread([this, fd] { ServeConnection(fd); }).detach();
  }
  return true;
}

void Server::Stop() {
  stopping_ = true;
  if (stop_pipe_[1] >= 0) {
    char c = 1;
    (void)!write(stop_pipe_[1], &c, 1);
  }
  std::lock_guard<std::mutex> lock(conns_mu_);
  for (int fd : conns_) shutdown(fd, SHUT_RDWR);
}

}  // namespace litebox::shim::ttrpc
